"""Every read of tasks. Each one is scoped to an owner: another user's task simply does not exist."""

import datetime as dt

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from core.ids import parse_id
from tasks import errors
from tasks.clock import local_now
from tasks.dates import DUE_FILTERS
from tasks.models import Task

STATUSES: tuple[str, ...] = ("all", "pending", "completed")
ORDERINGS: tuple[str, ...] = ("due", "-due", "priority", "-created")
_PRIORITY_RANK = Case(
    When(priority=Task.Priority.HIGH, then=Value(0)),
    When(priority=Task.Priority.MEDIUM, then=Value(1)),
    When(priority=Task.Priority.LOW, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def task_list(
    *,
    owner: AbstractBaseUser,
    status: str = "all",
    due: str | None = None,
    priority: str | None = None,
    query: str | None = None,
    ordering: str | None = None,
) -> QuerySet[Task]:
    """The owner's live (not deleted) tasks, newest first unless `ordering` says otherwise.

    `due` is computed in the owner's zone: overdue (pending, due before today, or today at a time that has
    passed), today, tomorrow, this_week (today through Sunday), upcoming (after today), no_date.
    `query`: every word must appear in the title or the description. `ordering`: due (dated first, by date,
    then all-day before timed, then by time; undated last), -due (latest first, undated last), priority
    (high first, then by due), -created (newest first, the default).
    """
    if status not in STATUSES:
        raise errors.InvalidStatus(value=status)
    qs = Task.objects.filter(owner=owner, deleted_at__isnull=True)
    if status == "pending":
        qs = qs.filter(completed=False)
    elif status == "completed":
        qs = qs.filter(completed=True)
    if due is not None:
        qs = qs.filter(_due_filter(owner, due))
    if priority is not None:
        if priority not in Task.Priority.values:
            raise errors.InvalidPriority(value=priority)
        qs = qs.filter(priority=priority)
    for word in (query or "").split():
        qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return qs.order_by(*_ordering(ordering))


def _due_filter(owner: AbstractBaseUser, due: str) -> Q:
    if due not in DUE_FILTERS:
        raise errors.InvalidDueFilter(value=due)
    now = local_now(owner.timezone)
    today = now.date()
    if due == "overdue":
        passed_today = Q(due_date=today, due_time__lt=now.time().replace(tzinfo=None))
        return Q(completed=False) & (Q(due_date__lt=today) | passed_today)
    if due == "today":
        return Q(due_date=today)
    if due == "tomorrow":
        return Q(due_date=today + dt.timedelta(days=1))
    if due == "this_week":
        return Q(due_date__gte=today, due_date__lte=today + dt.timedelta(days=6 - today.weekday()))
    if due == "upcoming":
        return Q(due_date__gt=today)
    return Q(due_date__isnull=True)


def _ordering(ordering: str | None) -> list:
    if ordering is None or ordering == "-created":
        return ["-created_at", "-id"]
    if ordering not in ORDERINGS:
        raise errors.InvalidOrdering(value=ordering)
    if ordering == "due":
        return [F("due_date").asc(nulls_last=True), F("due_time").asc(nulls_first=True), "-created_at", "-id"]
    if ordering == "-due":
        return [
            F("due_date").desc(nulls_last=True),
            F("due_time").desc(nulls_last=True),
            "-created_at",
            "-id",
        ]
    return [
        _PRIORITY_RANK,
        F("due_date").asc(nulls_last=True),
        F("due_time").asc(nulls_first=True),
        "-created_at",
    ]


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


# --- The task panel's sections (tasks.sections names and orders them) ---------------------------------------
PANEL_SECTIONS: tuple[str, ...] = ("overdue", "today", "upcoming", "later", "no_date", "completed")
UPCOMING_DAYS = 7


def _section_filter(section: str, now: dt.datetime) -> Q:
    """The rule of tasks.sections.section_key as a query, at `now` (aware, in the owner's zone)."""
    today, time_now = now.date(), now.time().replace(tzinfo=None)
    if section == "completed":
        return Q(completed=True)
    pending = Q(completed=False)
    if section == "overdue":
        return pending & (Q(due_date__lt=today) | Q(due_date=today, due_time__lt=time_now))
    if section == "today":
        return pending & Q(due_date=today) & (Q(due_time__isnull=True) | Q(due_time__gte=time_now))
    if section == "upcoming":
        return pending & Q(due_date__gt=today, due_date__lte=today + dt.timedelta(days=UPCOMING_DAYS))
    if section == "later":
        return pending & Q(due_date__gt=today + dt.timedelta(days=UPCOMING_DAYS))
    if section == "no_date":
        return pending & Q(due_date__isnull=True)
    raise errors.InvalidDueFilter(value=section)


def task_section(*, owner: AbstractBaseUser, section: str, now: dt.datetime) -> QuerySet[Task]:
    """The owner's live tasks in one panel section, in the panel's order (pending: by due; completed: most
    recently completed first). Callers slice it (the panel shows a window at a time)."""
    qs = Task.objects.filter(_section_filter(section, now), owner=owner, deleted_at__isnull=True)
    if section == "completed":
        return qs.order_by(Coalesce("completed_at", "created_at").desc(), "-id")
    return qs.order_by(*_ordering("due"))


def task_section_counts(*, owner: AbstractBaseUser, now: dt.datetime) -> dict[str, int]:
    """How many live tasks each panel section holds, in one query."""
    counts = Task.objects.filter(owner=owner, deleted_at__isnull=True).aggregate(
        **{key: Count("id", filter=_section_filter(key, now)) for key in PANEL_SECTIONS}
    )
    return {key: counts[key] for key in PANEL_SECTIONS}
