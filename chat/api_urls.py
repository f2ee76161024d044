from django.urls import path

from chat import apis

urlpatterns = [
    path("chat/", apis.ChatApi.as_view(), name="api-chat"),
    # The original design's endpoint: same body and answer; the id must be the authenticated user's.
    path("<int:user_id>/chat", apis.LegacyChatApi.as_view(), name="api-chat-legacy"),
    path("conversations/", apis.ConversationListApi.as_view(), name="api-conversation-list"),
    path(
        "conversations/<int:conversation_id>/",
        apis.ConversationDetailApi.as_view(),
        name="api-conversation-detail",
    ),
]
