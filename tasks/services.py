"""Every write to tasks. Keyword-only, owner-scoped, atomic; each change is announced to the owner's open tabs.

Due dates and repeats:
- `due` is a phrase or ISO text (resolved in the owner's zone by tasks.dates.resolve_due), a `date` (date only),
  a `datetime` (date and time; an aware one is converted to the owner's zone) or None / "" / "none" (no date).
  Clearing the date clears the repeat too.
- `repeat` is a phrase of tasks.recurrence's grammar or a raw RRULE; None / "" / "none" clears it. A repeat
  given to a task without a due date does not fail: the date becomes the rule's first date from the owner's
  today ("every monday" → the coming Monday, or today on a Monday).
- Completing a recurring task spawns its next occurrence (a new pending task, like Microsoft To Do), unless one
  spawned from it is still there. Reopening it hard-deletes that occurrence if it is untouched (never edited,
  completed or deleted): it was never the user's own work, so there is nothing to restore. A touched one stays.
"""

import datetime as dt

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import broadcast
from tasks import errors
from tasks.clock import today
from tasks.dates import resolve_due
from tasks.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Task
from tasks.recurrence import first_occurrence, next_occurrence, parse_repeat
from tasks.selectors import task_get


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()  # task_update: "leave this field as it is" (None means "clear" for due and repeat)
_CLEARING = {"", "none", "no date", "no due date", "never", "no repeat"}


def _clean_title(title: object) -> str:
    value = str(title or "").strip()
    if not value:
        raise errors.TitleRequired()
    if len(value) > TITLE_MAX_LENGTH:
        raise errors.TitleTooLong(limit=TITLE_MAX_LENGTH)
    return value


def _clean_description(description: object) -> str:
    value = str(description or "").strip()
    if len(value) > DESCRIPTION_MAX_LENGTH:
        raise errors.DescriptionTooLong(limit=DESCRIPTION_MAX_LENGTH)
    return value


def _clean_priority(priority: object) -> str:
    value = str(priority).strip().lower()
    if value not in Task.Priority.values:
        raise errors.InvalidPriority(value=priority)
    return value


def _is_clearing(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _CLEARING)


def _set_due(task: Task, owner: AbstractBaseUser, due: object) -> None:
    if _is_clearing(due):
        task.due_date, task.due_time, task.recurrence = None, None, ""
    elif isinstance(due, dt.datetime):
        local = due.astimezone(owner.zoneinfo) if due.tzinfo else due
        task.due_date, task.due_time = (
            local.date(),
            local.time().replace(second=0, microsecond=0, tzinfo=None),
        )
    elif isinstance(due, dt.date):
        task.due_date, task.due_time = due, None
    else:
        resolved = resolve_due(str(due), tz=owner.timezone)
        task.due_date, task.due_time = resolved.date, resolved.time


def _set_repeat(task: Task, owner: AbstractBaseUser, repeat: object) -> None:
    if _is_clearing(repeat):
        task.recurrence = ""
        return
    rule = parse_repeat(str(repeat))
    if task.due_date is None:
        start = first_occurrence(rule, today(owner.timezone))
        if start is None:
            raise errors.RepeatUnparseable(f'"{repeat}" has no date from today on.')
        task.due_date = start
    task.recurrence = rule


def _locked(owner: AbstractBaseUser, task_id: object, *, include_deleted: bool = False) -> Task:
    task = task_get(owner=owner, task_id=task_id, include_deleted=include_deleted)
    return Task.objects.select_for_update().get(pk=task.pk)


def _save(task: Task, action: str) -> Task:
    task.full_clean()
    task.save()
    broadcast.tasks_changed(task.owner_id, task_id=task.pk, action=action)
    return task


@transaction.atomic
def task_create(
    *,
    owner: AbstractBaseUser,
    title: str,
    description: str = "",
    due: str | dt.date | dt.datetime | None = None,
    priority: str = "none",
    repeat: str | None = None,
) -> Task:
    task = Task(
        owner=owner,
        title=_clean_title(title),
        description=_clean_description(description),
        priority=_clean_priority(priority),
    )
    _set_due(task, owner, due)
    _set_repeat(task, owner, repeat)
    return _save(task, "created")


@transaction.atomic
def task_update(
    *,
    owner: AbstractBaseUser,
    task_id: object,
    title: str | None = None,
    description: str | None = None,
    due: object = UNSET,
    priority: str | None = None,
    repeat: object = UNSET,
) -> Task:
    task = _locked(owner, task_id)
    if title is not None:
        task.title = _clean_title(title)
    if description is not None:
        task.description = _clean_description(description)
    if priority is not None:
        task.priority = _clean_priority(priority)
    if due is not UNSET:
        _set_due(task, owner, due)
    if repeat is not UNSET:
        _set_repeat(task, owner, repeat)
    return _save(task, "updated")


@transaction.atomic
def task_complete(*, owner: AbstractBaseUser, task_id: object) -> Task:
    """Mark it completed; a recurring task also gets its next occurrence (`task.next_occurrence`)."""
    task = _locked(owner, task_id)
    newly_completed = not task.completed
    if newly_completed:
        task.completed, task.completed_at = True, timezone.now()
    _save(task, "completed")
    # Completing, reopening and completing again must not pile up occurrences: one spawned task at a time.
    if newly_completed and task.recurrence and task.due_date and task.next_occurrence is None:
        _spawn_next(owner, task)
    return task


def _spawn_next(owner: AbstractBaseUser, task: Task) -> Task | None:
    # After the completed occurrence, and not in the past: an overdue daily task completed late comes back today.
    due = next_occurrence(task.recurrence, task.due_date, not_before=today(owner.timezone))
    if due is None:  # the rule ended (UNTIL)
        return None
    spawned = Task(
        owner=owner,
        title=task.title,
        description=task.description,
        priority=task.priority,
        recurrence=task.recurrence,
        due_date=due,
        due_time=task.due_time,
        recurrence_of=task,
    )
    _save(spawned, "created")
    # updated_at == created_at marks it untouched: any later save through these services moves updated_at.
    Task.objects.filter(pk=spawned.pk).update(updated_at=F("created_at"))
    spawned.updated_at = spawned.created_at
    return spawned


@transaction.atomic
def task_reopen(*, owner: AbstractBaseUser, task_id: object) -> Task:
    """Mark it pending again; the untouched occurrence its completion spawned is hard-deleted."""
    task = _locked(owner, task_id)
    was_completed = task.completed
    task.completed, task.completed_at = False, None
    _save(task, "reopened")
    if was_completed:
        untouched = task.next_occurrences.select_for_update().filter(
            completed=False, deleted_at__isnull=True, updated_at=F("created_at")
        )
        for spawned in list(untouched):
            spawned_id = spawned.pk
            spawned.delete()
            broadcast.tasks_changed(owner.pk, task_id=spawned_id, action="deleted")
    return task


@transaction.atomic
def task_delete(*, owner: AbstractBaseUser, task_id: object) -> Task:
    """Soft delete: the task disappears from every list but task_restore brings it back."""
    task = _locked(owner, task_id)
    task.deleted_at = timezone.now()
    return _save(task, "deleted")


@transaction.atomic
def task_restore(*, owner: AbstractBaseUser, task_id: object) -> Task:
    task = _locked(owner, task_id, include_deleted=True)
    task.deleted_at = None
    return _save(task, "restored")
