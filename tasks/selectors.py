"""Every read of tasks. Each one is scoped to an owner: another user's task simply does not exist."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q, QuerySet

from core.ids import parse_id
from tasks import errors
from tasks.models import Task

STATUSES: tuple[str, ...] = ("all", "pending", "completed")


def task_list(*, owner: AbstractBaseUser, status: str = "all") -> QuerySet[Task]:
    """The owner's live (not deleted) tasks, newest first."""
    if status not in STATUSES:
        raise errors.InvalidStatus(value=status)
    qs = Task.objects.filter(owner=owner, deleted_at__isnull=True)
    if status == "pending":
        qs = qs.filter(completed=False)
    elif status == "completed":
        qs = qs.filter(completed=True)
    return qs.order_by("-created_at", "-id")


def task_get(*, owner: AbstractBaseUser, task_id: object, include_deleted: bool = False) -> Task:
    """One of the owner's tasks, or TaskNotFound (also for ids that are not integers)."""
    pk = parse_id(task_id)
    if pk is None:
        raise errors.TaskNotFound(task_id=task_id)
    qs = Task.objects.filter(owner=owner, pk=pk)
    if not include_deleted:
        qs = qs.filter(deleted_at__isnull=True)
    task = qs.first()
    if task is None:
        raise errors.TaskNotFound(task_id=task_id)
    return task


def task_counts(*, owner: AbstractBaseUser) -> dict[str, int]:
    """Pending and completed counts in one query."""
    counts = Task.objects.filter(owner=owner, deleted_at__isnull=True).aggregate(
        pending=Count("id", filter=Q(completed=False)),
        completed=Count("id", filter=Q(completed=True)),
    )
    return {"pending": counts["pending"], "completed": counts["completed"]}
