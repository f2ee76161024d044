"""The date resolver and the labels, with a frozen clock in zones a day apart and across DST changes."""

import datetime as dt

import pytest
import time_machine

from tasks import dates
from tasks.dates import Due, due_label, resolve_due, short_due
from tasks.errors import DueUnparseable

# Tuesday 1 December 2026, 18:30 UTC. Local: Honolulu Tue 08:30, UTC Tue 18:30, Kolkata Wed 00:00, Kiritimati Wed 08:30.
INSTANT = dt.datetime(2026, 12, 1, 18, 30, tzinfo=dt.UTC)
ZONES = ["Pacific/Honolulu", "UTC", "Asia/Kolkata", "Pacific/Kiritimati"]


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


# phrase → expected (date, time) per zone, in ZONES order.
TABLE = {
    "today": [("12-01", None), ("12-01", None), ("12-02", None), ("12-02", None)],
    "Today": [("12-01", None), ("12-01", None), ("12-02", None), ("12-02", None)],
    "tomorrow": [("12-02", None), ("12-02", None), ("12-03", None), ("12-03", None)],
    "tonight": [("12-01", "20:00"), ("12-01", "20:00"), ("12-02", "20:00"), ("12-02", "20:00")],
    "tomorrow 5pm": [("12-02", "17:00"), ("12-02", "17:00"), ("12-03", "17:00"), ("12-03", "17:00")],
    "tomorrow at 5": [("12-02", "17:00"), ("12-02", "17:00"), ("12-03", "17:00"), ("12-03", "17:00")],
    "tomorrow at 9": [("12-02", "09:00"), ("12-02", "09:00"), ("12-03", "09:00"), ("12-03", "09:00")],
    "tonight at 9": [("12-01", "21:00"), ("12-01", "21:00"), ("12-02", "21:00"), ("12-02", "21:00")],
    "on friday": [("12-04", None)] * 4,
    "next week": [("12-07", None)] * 4,
    "in 3 days": [("12-04", None), ("12-04", None), ("12-05", None), ("12-05", None)],
    "dec 24": [("12-24", None)] * 4,
    "24/12": [("12-24", None)] * 4,
    "12/24": [("12-24", None)] * 4,
    "end of month": [("12-31", None)] * 4,
    "5pm": [("12-01", "17:00"), ("12-02", "17:00"), ("12-02", "17:00"), ("12-02", "17:00")],
    "in 2 hours": [("12-01", "10:30"), ("12-01", "20:30"), ("12-02", "02:00"), ("12-02", "10:30")],
    "2026-12-24": [("12-24", None)] * 4,
    "2026-12-24T17:00": [("12-24", "17:00")] * 4,
    "2026-12-24T17:00Z": [("12-24", "07:00"), ("12-24", "17:00"), ("12-24", "22:30"), ("12-25", "07:00")],
    # An absolute date that is today stays today; one that has passed is next year's.
    "dec 1": [("12-01", None), ("12-01", None), ("2027-12-01", None), ("2027-12-01", None)],
    "the 1st": [("12-01", None), ("12-01", None), ("2027-01-01", None), ("2027-01-01", None)],
    "next month": [("2027-01-01", None)] * 4,
    "this weekend": [("12-05", None)] * 4,
    "by friday 9am": [("12-04", "09:00")] * 4,
}


def _expected(entry):
    day, time = entry
    return Due(d(day if day.startswith("20") else f"2026-{day}"), t(time) if time else None)


@pytest.mark.parametrize("zone_index,tz", list(enumerate(ZONES)))
@pytest.mark.parametrize("phrase", list(TABLE))
def test_resolve_due_table(phrase, zone_index, tz):
    with time_machine.travel(INSTANT, tick=False):
        assert resolve_due(phrase, tz=tz) == _expected(TABLE[phrase][zone_index])


def test_weekday_name_on_that_weekday_is_next_week():
    tuesday = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    assert resolve_due("tuesday", tz="UTC", now=tuesday) == Due(d("2026-12-08"))


def test_tonight_after_eight_is_today_without_a_time():
    late = dt.datetime(2026, 12, 1, 21, tzinfo=dt.UTC)
    assert resolve_due("tonight", tz="UTC", now=late) == Due(d("2026-12-01"))


def test_ambiguous_numeric_date_is_refused_naming_both_readings():
    with pytest.raises(DueUnparseable) as exc:
        resolve_due("03/04", tz="UTC", now=INSTANT)
    assert exc.value.code == "due_unparseable"
    assert "3 April" in exc.value.message and "4 March" in exc.value.message


@pytest.mark.parametrize("text", ["blorp", "", "   ", "a", "5", "31/02", "the", "2026-02-30"])
def test_unreadable_input_is_an_error_naming_it(text):
    with pytest.raises(DueUnparseable) as exc:
        resolve_due(text, tz="UTC", now=INSTANT)
    assert exc.value.code == "due_unparseable"
    assert exc.value.field == "due"
    assert f'"{text.strip()}"' in exc.value.message


def test_error_message_matches_the_contract():
    with pytest.raises(DueUnparseable) as exc:
        resolve_due("blorp", tz="UTC", now=INSTANT)
    assert exc.value.message == 'I couldn\'t read "blorp" as a date.'


def test_a_half_read_phrase_names_the_unknown_word():
    with pytest.raises(DueUnparseable) as exc:
        resolve_due("tomorrow blorp", tz="UTC", now=INSTANT)
    assert '"blorp"' in exc.value.message


class TestDaylightSavingChanges:
    def test_new_york_in_hours_across_the_fall_back(self):
        # 2026-11-01 00:30 EDT; clocks go back at 02:00 EDT, so two real hours later it is 01:30 EST.
        now = dt.datetime(2026, 11, 1, 4, 30, tzinfo=dt.UTC)
        assert resolve_due("in 2 hours", tz="America/New_York", now=now) == Due(d("2026-11-01"), t("01:30"))

    def test_new_york_tomorrow_at_5_across_the_fall_back(self):
        now = dt.datetime(2026, 11, 1, 3, 30, tzinfo=dt.UTC)  # Saturday 31 October, 23:30 EDT
        assert resolve_due("tomorrow at 5", tz="America/New_York", now=now) == Due(
            d("2026-11-01"), t("17:00")
        )

    def test_paris_today_after_the_change(self):
        now = dt.datetime(2026, 10, 24, 22, 30, tzinfo=dt.UTC)  # 00:30 CEST on Sunday 25 October
        with time_machine.travel(now, tick=False):
            assert dates.today("Europe/Paris") == d("2026-10-25")
            assert resolve_due("today", tz="Europe/Paris") == Due(d("2026-10-25"))
            assert resolve_due("in 3 hours", tz="Europe/Paris") == Due(d("2026-10-25"), t("02:30"))

    def test_new_york_spring_forward_day_is_still_one_day(self):
        now = dt.datetime(2026, 3, 8, 6, 30, tzinfo=dt.UTC)  # 01:30 EST, an hour before the gap
        assert resolve_due("tomorrow 9am", tz="America/New_York", now=now) == Due(d("2026-03-09"), t("09:00"))
        assert resolve_due("in 1 hour", tz="America/New_York", now=now) == Due(d("2026-03-08"), t("03:30"))


def test_today_differs_by_zone_at_one_instant():
    with time_machine.travel(dt.datetime(2026, 12, 1, 11, tzinfo=dt.UTC), tick=False):
        assert dates.today("Pacific/Kiritimati") == d("2026-12-02")
        assert dates.today("Pacific/Honolulu") == d("2026-12-01")


class TestLabels:
    now = INSTANT  # Tuesday 1 December 2026, 18:30 UTC

    @pytest.mark.parametrize(
        "due_date,due_time,expected",
        [
            ("2026-12-04", "17:00", "Friday 4 December, 17:00 — in 3 days"),
            ("2026-12-01", "20:00", "Today, Tuesday 1 December, 20:00"),
            ("2026-12-01", "09:00", "Today, Tuesday 1 December, 09:00 — overdue"),
            ("2026-12-01", None, "Today, Tuesday 1 December"),
            ("2026-12-02", None, "Tomorrow, Wednesday 2 December"),
            ("2026-11-30", None, "Yesterday, Monday 30 November — overdue by 1 day"),
            ("2026-11-29", None, "Sunday 29 November — overdue by 2 days"),
            ("2027-01-05", None, "Tuesday 5 January 2027 — in 5 weeks"),
        ],
    )
    def test_due_label(self, due_date, due_time, expected):
        time = t(due_time) if due_time else None
        assert due_label(d(due_date), time, tz="UTC", now=self.now) == expected

    @pytest.mark.parametrize(
        "due_date,due_time,expected",
        [
            ("2026-12-01", "17:00", "Today 17:00"),
            ("2026-12-02", None, "Tomorrow"),
            ("2026-11-30", None, "Yesterday"),
            ("2026-12-04", None, "Fri 4 Dec"),
            ("2027-01-05", "08:15", "Tue 5 Jan 2027 08:15"),
        ],
    )
    def test_short_due(self, due_date, due_time, expected):
        time = t(due_time) if due_time else None
        assert short_due(d(due_date), time, tz="UTC", now=self.now) == expected

    def test_labels_follow_the_zone(self):
        # At this instant it is already Wednesday 2 December in Kiritimati.
        assert short_due(d("2026-12-02"), None, tz="Pacific/Kiritimati", now=self.now) == "Today"
        assert short_due(d("2026-12-02"), None, tz="Pacific/Honolulu", now=self.now) == "Tomorrow"
