from django.urls import path

from chat.api import views

urlpatterns = [
    path("chat/", views.ChatApi.as_view(), name="api-chat"),
    # The original design's endpoint: same body and answer; the id must be the authenticated user's.
    path("<int:user_id>/chat", views.LegacyChatApi.as_view(), name="api-chat-legacy"),
    path("conversations/", views.ConversationListApi.as_view(), name="api-conversation-list"),
    path(
        "conversations/<int:conversation_id>/",
        views.ConversationDetailApi.as_view(),
        name="api-conversation-detail",
    ),
    path(
        "conversations/<int:conversation_id>/stop/",
        views.ConversationStopApi.as_view(),
        name="api-conversation-stop",
    ),
]
