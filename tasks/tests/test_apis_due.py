"""/api/tasks/ with due dates, priorities and repeats: fields, phrases in the user's zone, filters, ordering."""

import datetime as dt

import pytest

from tasks.tests.factories import TaskFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

INSTANT = dt.datetime(2026, 12, 1, 18, 30, tzinfo=dt.UTC)  # Tuesday; already Wednesday in Kiritimati


def titles(response) -> list[str]:
    return [task["title"] for task in response.json()["results"]]


def test_create_with_a_phrase_in_my_zone(token_client, user):
    user.timezone = "Pacific/Kiritimati"
    user.save()

    response = token_client.post(
        "/api/tasks/",
        {
            "title": "Call Ana",
            "due": "tomorrow at 5",
            "priority": "high",
            "repeat": "every monday and thursday",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["due_date"] == "2026-12-03" and body["due_time"] == "17:00"
    assert body["due_label"] == "Tomorrow, Thursday 3 December, 17:00"
    assert (body["priority"], body["repeat"], body["recurrence"]) == (
        "high",
        "every Monday and Thursday",
        "FREQ=WEEKLY;BYDAY=MO,TH",
    )


def test_a_task_without_date_reads_nulls(token_client):
    body = token_client.post("/api/tasks/", {"title": "Someday"}, format="json").json()
    assert (body["due_date"], body["due_time"], body["due_label"], body["repeat"], body["recurrence"]) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert body["priority"] == "none"


def test_patch_iso_due_then_clear_it(token_client, user):
    task = TaskFactory(owner=user, title="A")

    set_due = token_client.patch(f"/api/tasks/{task.pk}/", {"due": "2026-12-04T17:00"}, format="json")
    cleared = token_client.patch(f"/api/tasks/{task.pk}/", {"due": None}, format="json")

    assert set_due.json()["due_label"] == "Friday 4 December, 17:00 — in 3 days"
    assert cleared.status_code == 200 and cleared.json()["due_date"] is None


def test_patch_without_due_keeps_it(token_client, user):
    task = TaskFactory(owner=user, title="A", due_date=dt.date(2026, 12, 4))
    body = token_client.patch(f"/api/tasks/{task.pk}/", {"title": "B"}, format="json").json()
    assert (body["title"], body["due_date"]) == ("B", "2026-12-04")


@pytest.mark.parametrize(
    "payload,code,field",
    [
        ({"title": "x", "due": "blorp"}, "due_unparseable", "due"),
        ({"title": "x", "priority": "urgent"}, "invalid_priority", "priority"),
        ({"title": "x", "repeat": "sometimes"}, "repeat_unparseable", "repeat"),
    ],
)
def test_bad_values_answer_400_with_a_code(token_client, payload, code, field):
    response = token_client.post("/api/tasks/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["field"] == field


def test_completing_a_recurring_task_over_the_api_creates_the_next(token_client, user):
    task = token_client.post(
        "/api/tasks/", {"title": "Bins", "due": "today", "repeat": "weekly"}, format="json"
    )
    task_id = task.json()["id"]

    token_client.post(f"/api/tasks/{task_id}/complete/")
    pending = token_client.get("/api/tasks/?status=pending").json()["results"]

    assert [(t["title"], t["due_date"]) for t in pending] == [("Bins", "2026-12-08")]


@pytest.fixture
def planned(user, other_user):
    D = dt.date.fromisoformat
    TaskFactory(owner=user, title="overdue", due_date=D("2026-11-30"), priority="low")
    TaskFactory(owner=user, title="today", due_date=D("2026-12-01"), priority="high")
    TaskFactory(owner=user, title="tomorrow", due_date=D("2026-12-02"), priority="medium")
    TaskFactory(owner=user, title="next week", due_date=D("2026-12-08"), description="plan the trip")
    TaskFactory(owner=user, title="someday")
    TaskFactory(owner=other_user, title="theirs", due_date=D("2026-12-01"), priority="high")


@pytest.mark.parametrize(
    "query,expected",
    [
        ("due=overdue", ["overdue"]),
        ("due=today", ["today"]),
        ("due=tomorrow", ["tomorrow"]),
        ("due=this_week", ["today", "tomorrow"]),
        ("due=upcoming", ["tomorrow", "next week"]),
        ("due=no_date", ["someday"]),
        ("priority=high", ["today"]),
        ("q=trip", ["next week"]),
        ("ordering=due", ["overdue", "today", "tomorrow", "next week", "someday"]),
        ("ordering=-due", ["next week", "tomorrow", "today", "overdue", "someday"]),
        ("ordering=priority", ["today", "tomorrow", "overdue", "next week", "someday"]),
        ("ordering=-created", ["someday", "next week", "tomorrow", "today", "overdue"]),
        ("due=upcoming&ordering=due&status=pending", ["tomorrow", "next week"]),
    ],
)
def test_list_filters_and_ordering(token_client, planned, query, expected):
    response = token_client.get(f"/api/tasks/?{query}")
    assert response.status_code == 200
    found = titles(response)
    assert found == expected if "ordering" in query else sorted(found) == sorted(expected)


@pytest.mark.parametrize("query", ["due=someday", "priority=urgent", "ordering=title"])
def test_unknown_filter_values_are_400(token_client, query):
    response = token_client.get(f"/api/tasks/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_the_filters_are_in_the_openapi_schema(token_client):
    response = token_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    params = {p["name"]: p for p in schema["paths"]["/api/tasks/"]["get"]["parameters"]}
    # "" is listed too: an empty value is the same as leaving the filter out.
    assert set(params["due"]["schema"]["enum"]) == {
        "",
        "overdue",
        "today",
        "tomorrow",
        "this_week",
        "upcoming",
        "no_date",
    }
    assert set(params["ordering"]["schema"]["enum"]) == {"", "due", "-due", "priority", "-created"}
    assert set(params["priority"]["schema"]["enum"]) == {"", "none", "low", "medium", "high"}
    assert "q" in params
    task = schema["components"]["schemas"]["TaskOutput"]["properties"]
    assert {"due_date", "due_time", "due_label", "priority", "repeat", "recurrence"} <= set(task)
