"""REST interface for tasks: validate, call one selector or service, serialize. No rules live here."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks import selectors, services
from tasks.dates import DUE_FILTERS
from tasks.models import Task
from tasks.selectors import ORDERINGS
from tasks.serializers import (
    TaskCreateInputSerializer,
    TaskListFilterSerializer,
    TaskOutputSerializer,
    TaskPageSerializer,
    TaskUpdateInputSerializer,
)


def _out(request: Request, task_or_tasks, *, many: bool = False) -> dict | list:
    """Due labels in the requesting user's zone (they are the owner: every read is owner-scoped)."""
    return TaskOutputSerializer(task_or_tasks, many=many, context={"tz": request.user.timezone}).data


# An empty value ("?status=") is the same as leaving the filter out: the enums say so with "".
_LIST_PARAMETERS = [
    OpenApiParameter("status", enum=["", "all", "pending", "completed"], default="all"),
    OpenApiParameter(
        "due",
        enum=["", *DUE_FILTERS],
        description="In your time zone. overdue: pending and past due; this_week: today through Sunday; "
        "upcoming: after today; no_date: undated.",
    ),
    OpenApiParameter("priority", enum=["", *Task.Priority.values]),
    OpenApiParameter("q", str, description="Words that must all appear in the title or description."),
    OpenApiParameter(
        "ordering",
        enum=["", *ORDERINGS],
        description="due: soonest first, undated last; -due: latest first; priority: high first; "
        "-created: newest first (default).",
    ),
]


class TaskListCreateApi(APIView):
    @extend_schema(operation_id="tasks_list", parameters=_LIST_PARAMETERS, responses=TaskPageSerializer)
    def get(self, request: Request) -> Response:
        filters = TaskListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        tasks = selectors.task_list(
            owner=request.user,
            status=data["status"],
            due=data.get("due"),
            priority=data.get("priority"),
            query=data.get("q"),
            ordering=data.get("ordering"),
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(tasks, request, view=self)
        return paginator.get_paginated_response(_out(request, page, many=True))

    @extend_schema(request=TaskCreateInputSerializer, responses={201: TaskOutputSerializer})
    def post(self, request: Request) -> Response:
        data = TaskCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.task_create(owner=request.user, **data.validated_data)
        return Response(_out(request, task), status=status.HTTP_201_CREATED)


class TaskDetailApi(APIView):
    @extend_schema(responses=TaskOutputSerializer)
    def get(self, request: Request, task_id: int) -> Response:
        return Response(_out(request, selectors.task_get(owner=request.user, task_id=task_id)))

    @extend_schema(request=TaskUpdateInputSerializer, responses=TaskOutputSerializer)
    def patch(self, request: Request, task_id: int) -> Response:
        data = TaskUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.task_update(owner=request.user, task_id=task_id, **data.validated_data)
        return Response(_out(request, task))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, task_id: int) -> Response:
        services.task_delete(owner=request.user, task_id=task_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _action_api(service, doc: str) -> type[APIView]:
    """POST /api/tasks/{id}/<action>/ → the service, answering with the task."""

    class TaskActionApi(APIView):
        @extend_schema(request=None, responses=TaskOutputSerializer, description=doc)
        def post(self, request: Request, task_id: int) -> Response:
            return Response(_out(request, service(owner=request.user, task_id=task_id)))

    TaskActionApi.__name__ = TaskActionApi.__qualname__ = f"Task{service.__name__.split('_')[1].title()}Api"
    return TaskActionApi


TaskCompleteApi = _action_api(services.task_complete, "Mark the task completed.")
TaskReopenApi = _action_api(services.task_reopen, "Mark the task pending again.")
TaskRestoreApi = _action_api(services.task_restore, "Bring back a deleted task.")
