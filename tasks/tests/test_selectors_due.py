"""task_list's due filters (in the owner's zone), priority, search and ordering."""

import datetime as dt

import pytest

from core.errors import DomainError
from tasks import selectors
from tasks.tests.factories import TaskFactory
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

# Tuesday 1 December 2026, 18:30 UTC = Tuesday 08:30 in Honolulu = Wednesday 08:30 in Kiritimati.
INSTANT = dt.datetime(2026, 12, 1, 18, 30, tzinfo=dt.UTC)
D = dt.date.fromisoformat


def titles(qs) -> list[str]:
    return [task.title for task in qs]


@pytest.fixture
def honolulu():
    return UserFactory(username="hono", timezone="Pacific/Honolulu")


@pytest.fixture
def kiritimati():
    return UserFactory(username="kiri", timezone="Pacific/Kiritimati")


def _calendar(owner):
    """One task per interesting day, the same dates for every owner."""
    for title, due, time in [
        ("nov30", "2026-11-30", None),
        ("dec1", "2026-12-01", None),
        ("dec1-morning", "2026-12-01", dt.time(7)),
        ("dec2", "2026-12-02", None),
        ("dec3", "2026-12-03", None),
        ("dec6-sunday", "2026-12-06", None),
        ("dec7-monday", "2026-12-07", None),
    ]:
        TaskFactory(owner=owner, title=title, due_date=D(due), due_time=time)
    TaskFactory(owner=owner, title="undated")
    TaskFactory(owner=owner, title="done-late", due_date=D("2026-11-01"), completed=True)


@pytest.mark.parametrize(
    "due,in_honolulu,in_kiritimati",
    [
        # Honolulu: today is Tue 1 Dec, 08:30 (the 07:00 task has passed). Kiritimati: today is Wed 2 Dec.
        ("overdue", {"nov30", "dec1-morning"}, {"nov30", "dec1", "dec1-morning"}),
        ("today", {"dec1", "dec1-morning"}, {"dec2"}),
        ("tomorrow", {"dec2"}, {"dec3"}),
        (
            "this_week",
            {"dec1", "dec1-morning", "dec2", "dec3", "dec6-sunday"},
            {"dec2", "dec3", "dec6-sunday"},
        ),
        ("upcoming", {"dec2", "dec3", "dec6-sunday", "dec7-monday"}, {"dec3", "dec6-sunday", "dec7-monday"}),
        ("no_date", {"undated"}, {"undated"}),
    ],
)
def test_due_filters_follow_the_owners_zone(honolulu, kiritimati, due, in_honolulu, in_kiritimati):
    _calendar(honolulu)
    _calendar(kiritimati)

    assert set(titles(selectors.task_list(owner=honolulu, due=due))) == in_honolulu
    assert set(titles(selectors.task_list(owner=kiritimati, due=due))) == in_kiritimati


def test_priority_filter_and_ordering(user):
    TaskFactory(owner=user, title="low", priority="low")
    TaskFactory(owner=user, title="high-later", priority="high", due_date=D("2026-12-09"))
    TaskFactory(owner=user, title="none", priority="none")
    TaskFactory(owner=user, title="high-sooner", priority="high", due_date=D("2026-12-02"))
    TaskFactory(owner=user, title="medium", priority="medium")

    assert titles(selectors.task_list(owner=user, priority="high", ordering="due")) == [
        "high-sooner",
        "high-later",
    ]
    assert titles(selectors.task_list(owner=user, ordering="priority")) == [
        "high-sooner",
        "high-later",
        "medium",
        "low",
        "none",
    ]


def test_due_ordering_puts_undated_last(user):
    TaskFactory(owner=user, title="undated")
    TaskFactory(owner=user, title="dec2-17", due_date=D("2026-12-02"), due_time=dt.time(17))
    TaskFactory(owner=user, title="dec2-allday", due_date=D("2026-12-02"))
    TaskFactory(owner=user, title="dec2-09", due_date=D("2026-12-02"), due_time=dt.time(9))
    TaskFactory(owner=user, title="dec1", due_date=D("2026-12-01"))

    assert titles(selectors.task_list(owner=user, ordering="due")) == [
        "dec1",
        "dec2-allday",
        "dec2-09",
        "dec2-17",
        "undated",
    ]
    assert titles(selectors.task_list(owner=user, ordering="-due")) == [
        "dec2-17",
        "dec2-09",
        "dec2-allday",
        "dec1",
        "undated",
    ]


def test_default_and_created_ordering_are_newest_first(user):
    first, second = TaskFactory(owner=user, title="first"), TaskFactory(owner=user, title="second")
    assert titles(selectors.task_list(owner=user)) == [second.title, first.title]
    assert titles(selectors.task_list(owner=user, ordering="-created")) == [second.title, first.title]


def test_query_matches_every_word_in_title_or_description(user, other_user):
    TaskFactory(owner=user, title="Buy milk", description="oat, 2 litres")
    TaskFactory(owner=user, title="Buy bread")
    TaskFactory(owner=user, title="Call mum", description="about the milk")
    TaskFactory(owner=other_user, title="Buy milk")

    assert set(titles(selectors.task_list(owner=user, query="milk"))) == {"Buy milk", "Call mum"}
    assert titles(selectors.task_list(owner=user, query="BUY oat")) == ["Buy milk"]
    assert len(selectors.task_list(owner=user, query="  ")) == 3


def test_filters_combine_with_status(user):
    TaskFactory(owner=user, title="open", due_date=D("2026-12-01"))
    TaskFactory(owner=user, title="done", due_date=D("2026-12-01"), completed=True)
    assert titles(selectors.task_list(owner=user, status="pending", due="today")) == ["open"]


@pytest.mark.parametrize(
    "kwargs,code",
    [
        ({"due": "someday"}, "invalid_due_filter"),
        ({"priority": "urgent"}, "invalid_priority"),
        ({"ordering": "title"}, "invalid_ordering"),
        ({"status": "open"}, "invalid_status"),
    ],
)
def test_invalid_arguments_have_stable_codes(user, kwargs, code):
    with pytest.raises(DomainError) as caught:
        selectors.task_list(owner=user, **kwargs)
    assert caught.value.code == code
