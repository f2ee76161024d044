"""The calendar feed, parsed back with icalendar."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tasks.tests.factories import TaskFactory
from users.services import user_calendar_token

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture
def feed_url(user):
    user.timezone = "Europe/Paris"
    user.save()
    return f"/calendar/{user_calendar_token(user=user)}.ics"


def events(response) -> dict[str, object]:
    calendar = Calendar.from_ical(response.content)
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_has_one_event_per_pending_dated_task(client, user, other_user, feed_url):
    all_day = TaskFactory(
        owner=user, title="Dentist", due_date=D("2026-12-04"), recurrence="FREQ=WEEKLY;BYDAY=FR"
    )
    timed = TaskFactory(
        owner=user, title="Call", due_date=D("2026-12-04"), due_time=dt.time(17), priority="high"
    )
    TaskFactory(owner=user, title="Undated")
    TaskFactory(owner=user, title="Done", due_date=D("2026-12-04"), completed=True)
    TaskFactory(owner=user, title="Deleted", due_date=D("2026-12-04"), deleted_at=dt.datetime.now(dt.UTC))
    TaskFactory(owner=other_user, title="Theirs", due_date=D("2026-12-04"))

    response = client.get(feed_url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response)
    assert set(found) == {"Dentist", "Call"}

    dentist = found["Dentist"]
    assert str(dentist["uid"]) == f"task-{all_day.pk}@todo-assistant"
    assert dentist["dtstart"].dt == D("2026-12-04") and dentist["dtstart"].params["VALUE"] == "DATE"
    assert dentist["dtend"].dt == D("2026-12-05")
    assert dentist["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=FR"

    call = found["Call"]
    assert str(call["uid"]) == f"task-{timed.pk}@todo-assistant"
    assert call["dtstart"].params["TZID"] == "Europe/Paris"
    assert call["dtstart"].dt == dt.datetime(2026, 12, 4, 17, tzinfo=ZoneInfo("Europe/Paris"))
    assert call["dtend"].dt - call["dtstart"].dt == dt.timedelta(hours=1)
    assert call["priority"] == 1
    calendar = Calendar.from_ical(response.content)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_uids_are_stable_across_edits(client, user, feed_url):
    task = TaskFactory(owner=user, title="Call", due_date=D("2026-12-04"))
    first = events(client.get(feed_url))["Call"]["uid"]
    task.due_date = D("2026-12-05")
    task.save()
    assert events(client.get(feed_url))["Call"]["uid"] == first


def test_no_login_needed_and_unknown_secrets_404(client, feed_url):
    assert client.get(feed_url).status_code == 200
    assert client.get("/calendar/not-the-secret.ics").status_code == 404
    assert client.get(feed_url.replace(".ics", "x.ics")).status_code == 404
    assert client.post(feed_url).status_code == 405


def test_an_empty_calendar_is_still_valid(client, feed_url):
    calendar = Calendar.from_ical(client.get(feed_url).content)
    assert calendar["version"] == "2.0" and not calendar.walk("VEVENT")
