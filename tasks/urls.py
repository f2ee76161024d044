"""The task panel's actions (the chat page posts them) and the calendar feed."""

from django.urls import path

from tasks import feeds, views

urlpatterns = [
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar-feed"),
    path("tasks/panel/", views.task_panel, name="panel-tasks"),
    path("tasks/section/<slug:key>/", views.task_section, name="panel-task-section"),
    path("tasks/add/", views.task_add, name="panel-task-add"),
    path("tasks/<int:task_id>/", views.task_item, name="panel-task-item"),
    path("tasks/<int:task_id>/edit/", views.task_edit, name="panel-task-edit"),
    path("tasks/<int:task_id>/complete/", views.task_complete, name="panel-task-complete"),
    path("tasks/<int:task_id>/reopen/", views.task_reopen, name="panel-task-reopen"),
    path("tasks/<int:task_id>/delete/", views.task_delete, name="panel-task-delete"),
    path("tasks/<int:task_id>/restore/", views.task_restore, name="panel-task-restore"),
]
