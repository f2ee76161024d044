import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from core.broadcast import user_group
from core.errors import DomainError
from tasks import services
from tasks.errors import TaskNotFound
from tasks.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


# --- create / update -----------------------------------------------------------------------------------------


def test_create_trims_and_saves(user):
    task = services.task_create(owner=user, title="  Buy milk  ", description="  2 litres \n")

    task.refresh_from_db()
    assert (task.owner, task.title, task.description) == (user, "Buy milk", "2 litres")
    assert task.completed is False and task.completed_at is None and task.deleted_at is None


@pytest.mark.parametrize("title", ["", "   ", "\n\t", None])
def test_create_without_title_is_refused(user, title):
    with pytest.raises(DomainError) as caught:
        services.task_create(owner=user, title=title)

    assert (caught.value.code, caught.value.field) == ("title_required", "title")
    assert not Task.objects.exists()


def test_title_limit_is_200_characters(user):
    assert services.task_create(owner=user, title="x" * TITLE_MAX_LENGTH).title == "x" * 200

    with pytest.raises(DomainError) as caught:
        services.task_create(owner=user, title="x" * (TITLE_MAX_LENGTH + 1))

    assert (caught.value.code, caught.value.field) == ("title_too_long", "title")
    assert Task.objects.count() == 1


def test_title_limit_applies_after_trimming(user):
    task = services.task_create(owner=user, title=f"  {'y' * TITLE_MAX_LENGTH}  ")
    assert len(task.title) == TITLE_MAX_LENGTH


def test_description_too_long_is_refused(user):
    with pytest.raises(DomainError) as caught:
        services.task_create(owner=user, title="ok", description="d" * (DESCRIPTION_MAX_LENGTH + 1))

    assert (caught.value.code, caught.value.field) == ("description_too_long", "description")
    assert not Task.objects.exists()


def test_update_changes_only_given_fields(user):
    task = TaskFactory(owner=user, title="Old", description="Keep me")

    services.task_update(owner=user, task_id=task.pk, title="  New  ")

    task.refresh_from_db()
    assert (task.title, task.description) == ("New", "Keep me")

    services.task_update(owner=user, task_id=task.pk, description="")
    task.refresh_from_db()
    assert (task.title, task.description) == ("New", "")


def test_update_validates_like_create(user):
    task = TaskFactory(owner=user, title="Old")

    with pytest.raises(DomainError) as caught:
        services.task_update(owner=user, task_id=task.pk, title="  ")
    assert caught.value.code == "title_required"

    with pytest.raises(DomainError) as caught:
        services.task_update(owner=user, task_id=task.pk, title="t" * 201)
    assert caught.value.code == "title_too_long"

    task.refresh_from_db()
    assert task.title == "Old"


def test_update_accepts_string_ids(user):
    task = TaskFactory(owner=user)
    assert services.task_update(owner=user, task_id=str(task.pk), title="From a tool").title == "From a tool"


# --- complete / reopen ----------------------------------------------------------------------------------------


def test_complete_then_reopen(user):
    task = TaskFactory(owner=user)

    services.task_complete(owner=user, task_id=task.pk)
    task.refresh_from_db()
    assert task.completed is True and task.completed_at is not None

    services.task_reopen(owner=user, task_id=task.pk)
    task.refresh_from_db()
    assert task.completed is False and task.completed_at is None


def test_completing_twice_keeps_the_first_completion_time(user):
    task = services.task_complete(owner=user, task_id=TaskFactory(owner=user).pk)
    first = task.completed_at

    again = services.task_complete(owner=user, task_id=task.pk)

    assert again.completed_at == first


# --- delete / restore -----------------------------------------------------------------------------------------


def test_delete_is_soft_and_restore_brings_it_back(user):
    task = TaskFactory(owner=user)

    services.task_delete(owner=user, task_id=task.pk)
    task.refresh_from_db()
    assert task.deleted_at is not None and task.is_deleted

    services.task_restore(owner=user, task_id=task.pk)
    task.refresh_from_db()
    assert task.deleted_at is None


def test_restore_of_a_live_task_is_harmless(user):
    task = TaskFactory(owner=user)
    assert services.task_restore(owner=user, task_id=task.pk).deleted_at is None


# --- not found: someone else's, deleted, nonsense ids ---------------------------------------------------------

ACTIONS = [
    lambda owner, task_id: services.task_update(owner=owner, task_id=task_id, title="x"),
    lambda owner, task_id: services.task_complete(owner=owner, task_id=task_id),
    lambda owner, task_id: services.task_reopen(owner=owner, task_id=task_id),
    lambda owner, task_id: services.task_delete(owner=owner, task_id=task_id),
    lambda owner, task_id: services.task_restore(owner=owner, task_id=task_id),
]
ACTION_IDS = ["update", "complete", "reopen", "delete", "restore"]


@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_IDS)
def test_another_users_task_is_not_found_and_untouched(user, other_user, action):
    theirs = TaskFactory(owner=other_user, title="Theirs")

    with pytest.raises(TaskNotFound) as caught:
        action(user, theirs.pk)

    assert caught.value.code == "task_not_found"
    assert caught.value.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.title, theirs.completed, theirs.deleted_at) == ("Theirs", False, None)


@pytest.mark.parametrize("action", ACTIONS[:4], ids=ACTION_IDS[:4])
def test_a_deleted_task_is_not_found_except_for_restore(user, action):
    task = TaskFactory(owner=user)
    services.task_delete(owner=user, task_id=task.pk)

    with pytest.raises(TaskNotFound) as caught:
        action(user, task.pk)

    assert caught.value.code == "task_not_found"


@pytest.mark.parametrize("task_id", ["abc", "1.5", "", None, [1], 999_999])
@pytest.mark.parametrize("action", ACTIONS, ids=ACTION_IDS)
def test_nonsense_ids_are_not_found(user, action, task_id):
    TaskFactory(owner=user)

    with pytest.raises(TaskNotFound) as caught:
        action(user, task_id)

    assert caught.value.code == "task_not_found"


# --- announcements on the channel layer -----------------------------------------------------------------------


def _subscribe(owner_id: int) -> tuple:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(owner_id), channel)
    return layer, channel


async def _receive(layer, channel, timeout: float = 2.0):
    try:
        return await asyncio.wait_for(layer.receive(channel), timeout)
    except TimeoutError:
        return None


def receive(layer, channel, timeout: float = 2.0):
    return async_to_sync(_receive)(layer, channel, timeout)


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_announced_to_the_owners_group(user):
    layer, channel = _subscribe(user.pk)

    task = services.task_create(owner=user, title="Announce me")

    assert receive(layer, channel) == {"type": "tasks.changed", "task_id": task.pk, "action": "created"}


@pytest.mark.django_db(transaction=True)
def test_nothing_is_announced_when_the_transaction_rolls_back(user):
    layer, channel = _subscribe(user.pk)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.task_create(owner=user, title="Never happened")
        raise RuntimeError("roll back")

    assert not Task.objects.exists()
    assert receive(layer, channel, timeout=0.5) is None


@pytest.mark.django_db(transaction=True)
def test_another_users_change_is_not_announced_to_me(user, other_user):
    layer, channel = _subscribe(user.pk)

    services.task_create(owner=other_user, title="Not yours")

    assert receive(layer, channel, timeout=0.5) is None


@pytest.mark.parametrize(
    ("call", "action"),
    [
        (lambda u, t: services.task_update(owner=u, task_id=t, title="New"), "updated"),
        (lambda u, t: services.task_complete(owner=u, task_id=t), "completed"),
        (lambda u, t: services.task_reopen(owner=u, task_id=t), "reopened"),
        (lambda u, t: services.task_delete(owner=u, task_id=t), "deleted"),
        (lambda u, t: services.task_restore(owner=u, task_id=t), "restored"),
    ],
    ids=["update", "complete", "reopen", "delete", "restore"],
)
def test_every_change_is_announced_on_commit(user, django_capture_on_commit_callbacks, call, action):
    task = TaskFactory(owner=user)
    layer, channel = _subscribe(user.pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call(user, task.pk)

    assert len(callbacks) == 1
    assert receive(layer, channel) == {"type": "tasks.changed", "task_id": task.pk, "action": action}


def test_a_refused_change_is_not_announced(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(DomainError):
        services.task_create(owner=user, title="")

    assert callbacks == []
