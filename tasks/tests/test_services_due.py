"""Due dates, priorities and repeats through the services: resolution in the owner's zone, coded errors, and
the next occurrence of a recurring task on completion (removed again by reopening it, unless touched)."""

import datetime as dt

import pytest
import time_machine

from core.errors import DomainError
from tasks import services
from tasks.models import Task
from tasks.services import UNSET
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

# Tuesday 1 December 2026, 18:30 UTC: already Wednesday 2 December in Pacific/Kiritimati.
INSTANT = dt.datetime(2026, 12, 1, 18, 30, tzinfo=dt.UTC)
D = dt.date.fromisoformat


@pytest.fixture
def kiritimati():
    return UserFactory(username="kiri", timezone="Pacific/Kiritimati")


def test_create_resolves_a_phrase_in_the_owners_zone(user, kiritimati):
    here = services.task_create(owner=user, title="A", due="tomorrow 5pm")
    there = services.task_create(owner=kiritimati, title="B", due="tomorrow 5pm")

    assert (here.due_date, here.due_time) == (D("2026-12-02"), dt.time(17))
    assert (there.due_date, there.due_time) == (D("2026-12-03"), dt.time(17))


def test_create_accepts_date_and_datetime(user, kiritimati):
    only_date = services.task_create(owner=user, title="A", due=D("2026-12-24"))
    aware = services.task_create(
        owner=kiritimati, title="B", due=dt.datetime(2026, 12, 24, 17, tzinfo=dt.UTC)
    )
    naive = services.task_create(owner=user, title="C", due=dt.datetime(2026, 12, 24, 9, 30, 15))

    assert (only_date.due_date, only_date.due_time) == (D("2026-12-24"), None)
    assert (aware.due_date, aware.due_time) == (
        D("2026-12-25"),
        dt.time(7),
    )  # 17:00 UTC is 07:00 next day there
    assert (naive.due_date, naive.due_time) == (D("2026-12-24"), dt.time(9, 30))


def test_defaults(user):
    task = services.task_create(owner=user, title="Plain")
    assert (task.due_date, task.due_time, task.priority, task.recurrence) == (None, None, "none", "")


@pytest.mark.parametrize(
    "kwargs,code,field",
    [
        ({"due": "blorp"}, "due_unparseable", "due"),
        ({"priority": "urgent"}, "invalid_priority", "priority"),
        ({"repeat": "sometimes"}, "repeat_unparseable", "repeat"),
    ],
)
def test_invalid_input_has_a_stable_code_and_saves_nothing(user, kwargs, code, field):
    with pytest.raises(DomainError) as caught:
        services.task_create(owner=user, title="x", **kwargs)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert not Task.objects.exists()


def test_priority_is_case_insensitive(user):
    assert services.task_create(owner=user, title="x", priority="HIGH").priority == "high"


def test_repeat_without_due_starts_at_its_first_date(user):
    task = services.task_create(owner=user, title="Gym", repeat="every friday")
    assert (task.due_date, task.recurrence) == (D("2026-12-04"), "FREQ=WEEKLY;BYDAY=FR")

    daily = services.task_create(owner=user, title="Walk", repeat="daily")
    assert daily.due_date == D("2026-12-01")


def test_update_leaves_unset_fields_alone(user):
    task = services.task_create(owner=user, title="A", due="dec 24 9am", priority="low", repeat="yearly")

    services.task_update(owner=user, task_id=task.pk, title="B", due=UNSET, repeat=UNSET)
    task.refresh_from_db()

    assert (task.title, task.due_date, task.due_time, task.priority, task.recurrence) == (
        "B",
        D("2026-12-24"),
        dt.time(9),
        "low",
        "FREQ=YEARLY",
    )


@pytest.mark.parametrize("cleared", [None, "", "none", "None"])
def test_clearing_the_due_date_clears_the_repeat(user, cleared):
    task = services.task_create(owner=user, title="A", due="friday", repeat="weekly")

    task = services.task_update(owner=user, task_id=task.pk, due=cleared)

    assert (task.due_date, task.due_time, task.recurrence) == (None, None, "")


def test_clearing_the_repeat_keeps_the_date(user):
    task = services.task_create(owner=user, title="A", due="friday", repeat="weekly")
    task = services.task_update(owner=user, task_id=task.pk, repeat=None)
    assert (task.due_date, task.recurrence) == (D("2026-12-04"), "")


def test_update_priority_and_due(user):
    task = services.task_create(owner=user, title="A")
    task = services.task_update(owner=user, task_id=task.pk, due="in 3 days", priority="medium")
    assert (task.due_date, task.priority) == (D("2026-12-04"), "medium")


# --- recurrence --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "repeat,due,following",
    [
        ("every day", "2026-12-01", "2026-12-02"),
        ("every weekday", "2026-12-04", "2026-12-07"),  # Friday → Monday
        ("every monday and thursday", "2026-12-03", "2026-12-07"),
        ("every 2 weeks", "2026-12-01", "2026-12-15"),
        ("weekly", "2026-12-02", "2026-12-09"),
        ("monthly on the 1st", "2026-12-01", "2027-01-01"),
        ("every month", "2026-12-10", "2027-01-10"),
        ("every year", "2026-12-25", "2027-12-25"),
    ],
)
def test_completing_a_recurring_task_spawns_the_next_occurrence(user, repeat, due, following):
    task = services.task_create(
        owner=user,
        title="Water plants",
        description="balcony",
        due=f"{due}T08:00",
        priority="high",
        repeat=repeat,
    )

    done = services.task_complete(owner=user, task_id=task.pk)

    spawned = done.next_occurrence
    assert done.completed and spawned is not None
    assert (spawned.due_date, spawned.due_time) == (D(following), dt.time(8))
    assert (spawned.title, spawned.description, spawned.priority) == ("Water plants", "balcony", "high")
    assert spawned.recurrence == task.recurrence and spawned.recurrence_of == done
    assert not spawned.completed


def test_an_overdue_recurring_task_comes_back_from_today(user):
    task = services.task_create(owner=user, title="Stretch", due="2026-11-20", repeat="daily")
    assert services.task_complete(owner=user, task_id=task.pk).next_occurrence.due_date == D("2026-12-01")


def test_completing_twice_spawns_once(user):
    task = services.task_create(owner=user, title="A", due="today", repeat="daily")
    services.task_complete(owner=user, task_id=task.pk)
    services.task_complete(owner=user, task_id=task.pk)
    assert Task.objects.filter(recurrence_of=task).count() == 1


def test_a_task_without_repeat_spawns_nothing(user):
    task = services.task_create(owner=user, title="A", due="today")
    assert services.task_complete(owner=user, task_id=task.pk).next_occurrence is None
    assert Task.objects.count() == 1


def test_a_finished_rule_spawns_nothing(user):
    task = services.task_create(owner=user, title="A", due="2026-12-01", repeat="FREQ=DAILY;UNTIL=20261201")
    assert services.task_complete(owner=user, task_id=task.pk).next_occurrence is None


def test_reopen_removes_the_untouched_next_occurrence(user):
    task = services.task_create(owner=user, title="A", due="today", repeat="daily")
    spawned = services.task_complete(owner=user, task_id=task.pk).next_occurrence

    reopened = services.task_reopen(owner=user, task_id=task.pk)

    assert not reopened.completed
    assert not Task.objects.filter(pk=spawned.pk).exists()  # hard-deleted: it was never the user's work
    assert reopened.next_occurrence is None


@pytest.mark.parametrize(
    "touch",
    [
        lambda user, pk: services.task_update(owner=user, task_id=pk, title="Edited"),
        lambda user, pk: services.task_update(owner=user, task_id=pk, due="friday"),
        lambda user, pk: services.task_complete(owner=user, task_id=pk),
    ],
    ids=["renamed", "rescheduled", "completed"],
)
def test_reopen_keeps_a_touched_next_occurrence(user, touch):
    task = services.task_create(owner=user, title="A", due="today", repeat="daily")
    spawned = services.task_complete(owner=user, task_id=task.pk).next_occurrence
    with time_machine.travel(INSTANT + dt.timedelta(minutes=5), tick=False):
        touch(user, spawned.pk)

    services.task_reopen(owner=user, task_id=task.pk)

    assert Task.objects.filter(pk=spawned.pk).exists()
    # …and completing the original again does not spawn a second one beside it.
    services.task_complete(owner=user, task_id=task.pk)
    assert Task.objects.filter(recurrence_of=task).count() == 1


def test_complete_reopen_complete_spawns_a_fresh_occurrence(user):
    task = services.task_create(owner=user, title="A", due="today", repeat="daily")
    services.task_complete(owner=user, task_id=task.pk)
    services.task_reopen(owner=user, task_id=task.pk)
    again = services.task_complete(owner=user, task_id=task.pk)
    assert again.next_occurrence.due_date == D("2026-12-02")
    assert Task.objects.filter(recurrence_of=task).count() == 1


def test_delete_and_restore_still_work_on_recurring_tasks(user):
    task = services.task_create(owner=user, title="A", due="today", repeat="daily")
    services.task_delete(owner=user, task_id=task.pk)
    restored = services.task_restore(owner=user, task_id=task.pk)
    assert (restored.recurrence, restored.deleted_at) == ("FREQ=DAILY", None)
