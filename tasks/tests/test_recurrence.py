"""Repeats: the grammar → RRULE, back to words, and the next occurrence of each form."""

import datetime as dt

import pytest

from tasks.dates import describe_repeat, next_occurrence, parse_repeat
from tasks.errors import RepeatUnparseable
from tasks.recurrence import first_occurrence

TUESDAY = dt.date(2026, 12, 1)

# phrase, RRULE, description, next occurrence after Tuesday 1 December 2026
FORMS = [
    ("every day", "FREQ=DAILY", "every day", "2026-12-02"),
    ("daily", "FREQ=DAILY", "every day", "2026-12-02"),
    ("every weekday", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday", "2026-12-02"),
    ("every monday and thursday", "FREQ=WEEKLY;BYDAY=MO,TH", "every Monday and Thursday", "2026-12-03"),
    ("Every Mon, Thu", "FREQ=WEEKLY;BYDAY=MO,TH", "every Monday and Thursday", "2026-12-03"),
    ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2", "every 2 weeks", "2026-12-15"),
    ("every other week", "FREQ=WEEKLY;INTERVAL=2", "every 2 weeks", "2026-12-15"),
    ("weekly", "FREQ=WEEKLY", "every week", "2026-12-08"),
    ("every 2 weeks on monday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "every 2 weeks on Monday", "2026-12-14"),
    ("monthly on the 1st", "FREQ=MONTHLY;BYMONTHDAY=1", "monthly on the 1st", "2027-01-01"),
    ("every 1st", "FREQ=MONTHLY;BYMONTHDAY=1", "monthly on the 1st", "2027-01-01"),
    ("on the 15th of every month", "FREQ=MONTHLY;BYMONTHDAY=15", "monthly on the 15th", "2026-12-15"),
    ("each month", "FREQ=MONTHLY", "every month", "2027-01-01"),
    ("every month on the last day", "FREQ=MONTHLY;BYMONTHDAY=-1", "monthly on the last day", "2026-12-31"),
    ("every month", "FREQ=MONTHLY", "every month", "2027-01-01"),
    ("every year", "FREQ=YEARLY", "every year", "2027-12-01"),
    ("yearly", "FREQ=YEARLY", "every year", "2027-12-01"),
    ("every 3 days", "FREQ=DAILY;INTERVAL=3", "every 3 days", "2026-12-04"),
    ("RRULE:FREQ=WEEKLY;BYDAY=FR", "FREQ=WEEKLY;BYDAY=FR", "every Friday", "2026-12-04"),
    ("freq=daily;interval=2", "FREQ=DAILY;INTERVAL=2", "every 2 days", "2026-12-03"),
]


@pytest.mark.parametrize("phrase,rrule,description,following", FORMS)
def test_grammar(phrase, rrule, description, following):
    assert parse_repeat(phrase) == rrule
    assert describe_repeat(rrule) == description
    assert parse_repeat(description) == rrule  # the description reads back as the same rule
    assert next_occurrence(rrule, TUESDAY) == dt.date.fromisoformat(following)


@pytest.mark.parametrize(
    "text",
    ["blorp", "", "every blorp", "monthly on tuesday", "every 0 days", "FREQ=HOURLY", "FREQ=DAILY;COUNT=3"],
)
def test_unreadable_repeat(text):
    with pytest.raises(RepeatUnparseable) as exc:
        parse_repeat(text)
    assert exc.value.code == "repeat_unparseable"
    assert exc.value.field == "repeat"


def test_monthly_on_the_31st_skips_short_months():
    assert next_occurrence("FREQ=MONTHLY;BYMONTHDAY=31", dt.date(2027, 1, 31)) == dt.date(2027, 3, 31)


def test_until_ends_the_rule():
    rule = parse_repeat("FREQ=DAILY;UNTIL=20261202")
    assert next_occurrence(rule, dt.date(2026, 12, 1)) == dt.date(2026, 12, 2)
    assert next_occurrence(rule, dt.date(2026, 12, 2)) is None


def test_an_overdue_occurrence_catches_up_on_the_same_pattern():
    # Every 2 weeks from Tuesday 3 November, completed on 1 December: the next is 1 December itself, not 17 Nov.
    rule = "FREQ=WEEKLY;INTERVAL=2"
    assert next_occurrence(rule, dt.date(2026, 11, 3), not_before=TUESDAY) == dt.date(2026, 12, 1)
    assert next_occurrence("FREQ=DAILY", dt.date(2026, 11, 20), not_before=TUESDAY) == TUESDAY


def test_first_occurrence_from_today():
    assert first_occurrence("FREQ=WEEKLY;BYDAY=FR", TUESDAY) == dt.date(2026, 12, 4)
    assert first_occurrence("FREQ=DAILY", TUESDAY) == TUESDAY
