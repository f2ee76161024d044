"""Every write to tasks. Keyword-only, owner-scoped, atomic; each change is announced to the owner's open tabs."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from core import broadcast
from tasks import errors
from tasks.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Task
from tasks.selectors import task_get


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


def _locked(owner: AbstractBaseUser, task_id: object, *, include_deleted: bool = False) -> Task:
    task = task_get(owner=owner, task_id=task_id, include_deleted=include_deleted)
    return Task.objects.select_for_update().get(pk=task.pk)


def _save(task: Task, action: str) -> Task:
    task.full_clean()
    task.save()
    broadcast.tasks_changed(task.owner_id, task_id=task.pk, action=action)
    return task


@transaction.atomic
def task_create(*, owner: AbstractBaseUser, title: str, description: str = "") -> Task:
    task = Task(owner=owner, title=_clean_title(title), description=_clean_description(description))
    return _save(task, "created")


@transaction.atomic
def task_update(
    *, owner: AbstractBaseUser, task_id: object, title: str | None = None, description: str | None = None
) -> Task:
    task = _locked(owner, task_id)
    if title is not None:
        task.title = _clean_title(title)
    if description is not None:
        task.description = _clean_description(description)
    return _save(task, "updated")


@transaction.atomic
def task_complete(*, owner: AbstractBaseUser, task_id: object) -> Task:
    task = _locked(owner, task_id)
    if not task.completed:
        task.completed, task.completed_at = True, timezone.now()
    return _save(task, "completed")


@transaction.atomic
def task_reopen(*, owner: AbstractBaseUser, task_id: object) -> Task:
    task = _locked(owner, task_id)
    task.completed, task.completed_at = False, None
    return _save(task, "reopened")


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
