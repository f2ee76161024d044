import pytest
from django.utils import timezone

from core.errors import DomainError
from tasks import selectors
from tasks.errors import TaskNotFound
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_tasks(user, other_user):
    """Two pending, one completed, one deleted of each kind for `user`; one task of someone else."""
    return {
        "pending": [TaskFactory(owner=user, title="p1"), TaskFactory(owner=user, title="p2")],
        "completed": [TaskFactory(owner=user, title="c1", completed=True, completed_at=timezone.now())],
        "deleted": [
            TaskFactory(owner=user, title="dp", deleted_at=timezone.now()),
            TaskFactory(owner=user, title="dc", completed=True, deleted_at=timezone.now()),
        ],
        "theirs": [TaskFactory(owner=other_user, title="theirs")],
    }


@pytest.mark.parametrize(
    ("status", "expected"),
    [("all", {"p1", "p2", "c1"}), ("pending", {"p1", "p2"}), ("completed", {"c1"})],
)
def test_list_by_status_leaves_out_deleted_and_other_users(user, mixed_tasks, status, expected):
    titles = [task.title for task in selectors.task_list(owner=user, status=status)]

    assert sorted(titles) == sorted(expected)


def test_list_defaults_to_all_newest_first(user):
    first, second, third = (TaskFactory(owner=user, title=t) for t in ("first", "second", "third"))

    assert list(selectors.task_list(owner=user)) == [third, second, first]


@pytest.mark.parametrize("status", ["done", "", "ALL", None])
def test_list_refuses_an_unknown_status(user, status):
    with pytest.raises(DomainError) as caught:
        selectors.task_list(owner=user, status=status)

    assert (caught.value.code, caught.value.field) == ("invalid_status", "status")


def test_counts_leave_out_deleted_and_other_users(user, other_user, mixed_tasks):
    assert selectors.task_counts(owner=user) == {"pending": 2, "completed": 1}
    assert selectors.task_counts(owner=other_user) == {"pending": 1, "completed": 0}


def test_counts_of_a_user_without_tasks_are_zero(user):
    assert selectors.task_counts(owner=user) == {"pending": 0, "completed": 0}


def test_get_returns_own_task(user):
    task = TaskFactory(owner=user)

    assert selectors.task_get(owner=user, task_id=task.pk) == task
    assert selectors.task_get(owner=user, task_id=str(task.pk)) == task


def test_get_of_another_users_task_is_not_found(user, other_user):
    theirs = TaskFactory(owner=other_user)

    with pytest.raises(TaskNotFound) as caught:
        selectors.task_get(owner=user, task_id=theirs.pk)

    assert caught.value.code == "task_not_found"
    assert caught.value.as_dict() == {
        "message": f"Task {theirs.pk} was not found.",
        "code": "task_not_found",
        "field": "task_id",
    }


def test_get_of_a_deleted_task_is_not_found_unless_asked_for(user):
    task = TaskFactory(owner=user, deleted_at=timezone.now())

    with pytest.raises(TaskNotFound):
        selectors.task_get(owner=user, task_id=task.pk)

    assert selectors.task_get(owner=user, task_id=task.pk, include_deleted=True) == task


def test_include_deleted_still_hides_other_users_tasks(user, other_user):
    theirs = TaskFactory(owner=other_user, deleted_at=timezone.now())

    with pytest.raises(TaskNotFound):
        selectors.task_get(owner=user, task_id=theirs.pk, include_deleted=True)


@pytest.mark.parametrize("task_id", ["abc", "1.5", "", None, {}, "1; DROP TABLE tasks_task"])
def test_get_with_a_non_integer_id_is_not_found(user, task_id):
    TaskFactory(owner=user)

    with pytest.raises(TaskNotFound) as caught:
        selectors.task_get(owner=user, task_id=task_id)

    assert caught.value.code == "task_not_found"


def test_get_does_not_round_numbers_into_ids(user):
    """int(1.5) and int(True) are 1: an id like that must not reach task 1."""
    task = TaskFactory(owner=user, id=1)

    for task_id in (1.5, 1.0001, 1.0, True, "1.0", "1_0", "١", " 1 ", "1e0"):
        with pytest.raises(TaskNotFound):
            selectors.task_get(owner=user, task_id=task_id)

    # The one id rule (core.ids): an integer, or a string of ASCII digits.
    assert selectors.task_get(owner=user, task_id=1) == task
    assert selectors.task_get(owner=user, task_id="1") == task
