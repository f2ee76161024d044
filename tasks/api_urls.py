from django.urls import path

from tasks import apis

urlpatterns = [
    path("tasks/", apis.TaskListCreateApi.as_view(), name="api-task-list"),
    path("tasks/<int:task_id>/", apis.TaskDetailApi.as_view(), name="api-task-detail"),
    path("tasks/<int:task_id>/complete/", apis.TaskCompleteApi.as_view(), name="api-task-complete"),
    path("tasks/<int:task_id>/reopen/", apis.TaskReopenApi.as_view(), name="api-task-reopen"),
    path("tasks/<int:task_id>/restore/", apis.TaskRestoreApi.as_view(), name="api-task-restore"),
]
