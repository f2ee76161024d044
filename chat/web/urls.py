from django.urls import path

from chat.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<int:conversation_id>/", views.conversation_detail, name="conversation"),
    path("c/<int:conversation_id>/rename/", views.conversation_rename_view, name="conversation-rename"),
    path("c/<int:conversation_id>/delete/", views.conversation_delete_view, name="conversation-delete"),
    path("tasks/add/", views.task_add, name="panel-task-add"),
    path("tasks/<int:task_id>/complete/", views.task_complete, name="panel-task-complete"),
    path("tasks/<int:task_id>/reopen/", views.task_reopen, name="panel-task-reopen"),
    path("tasks/<int:task_id>/delete/", views.task_delete, name="panel-task-delete"),
    path("tasks/<int:task_id>/restore/", views.task_restore, name="panel-task-restore"),
]
