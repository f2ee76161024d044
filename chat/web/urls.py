from django.urls import path

from chat.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<int:conversation_id>/", views.conversation_detail, name="conversation"),
    path("c/<int:conversation_id>/earlier/", views.conversation_earlier, name="conversation-earlier"),
    path("c/<int:conversation_id>/rename/", views.conversation_rename_view, name="conversation-rename"),
    path("c/<int:conversation_id>/delete/", views.conversation_delete_view, name="conversation-delete"),
    path(
        "c/<int:conversation_id>/export.<str:fmt>",
        views.conversation_export_view,
        name="conversation-export",
    ),
    path("search/", views.conversation_search_view, name="conversation-search"),
    path("conversations/", views.conversation_more_view, name="conversation-more"),
    path("m/<int:message_id>/feedback/", views.message_feedback_view, name="message-feedback"),
]
