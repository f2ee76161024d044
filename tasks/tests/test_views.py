"""The task panel's views: sections in the owner's zone, add with a date, inline edit through task_update."""

import datetime as dt
import re

import pytest
from django.test import Client

from tasks import selectors
from tasks.models import Task
from tasks.sections import panel_sections
from tasks.tests.factories import TaskFactory
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

HTMX = {"HTTP_HX_REQUEST": "true"}
# Thursday 5 March 2026, 23:30 UTC = Thursday 15:30 in Los Angeles = Friday 6 March 08:30 in Tokyo.
INSTANT = dt.datetime(2026, 3, 5, 23, 30, tzinfo=dt.UTC)
D = dt.date.fromisoformat


@pytest.fixture
def client_in(client, user):
    client.force_login(user)
    return client


def section_titles(html: str) -> dict[str, list[str]]:
    """{section key: [task titles]} read off the rendered panel body."""
    found = {}
    for key, body in re.findall(
        r'<section class="task-section[^"]*" id="section-([a-z_]+)".*?>(.*?)</section>', html, re.S
    ):
        found[key] = re.findall(r'<span class="task-title">(.*?)</span>', body)
    return found


def week_of_tasks(owner) -> None:
    make = TaskFactory
    make(owner=owner, title="Thursday", due_date=D("2026-03-05"))
    make(owner=owner, title="Friday", due_date=D("2026-03-06"))
    make(owner=owner, title="Friday 8:00", due_date=D("2026-03-06"), due_time=dt.time(8, 0))
    make(owner=owner, title="Friday 17:00", due_date=D("2026-03-06"), due_time=dt.time(17, 0))
    make(owner=owner, title="Next Friday", due_date=D("2026-03-13"))
    make(owner=owner, title="In two weeks", due_date=D("2026-03-20"))
    make(owner=owner, title="Someday")
    make(owner=owner, title="Done", due_date=D("2026-03-01"), completed=True, completed_at=INSTANT)


# --- Sections ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        (
            "America/Los_Angeles",  # Thursday 15:30
            {
                "today": ["Thursday"],
                "upcoming": ["Friday", "Friday 8:00", "Friday 17:00"],
                "later": ["Next Friday", "In two weeks"],  # 8 days away is not the next 7
                "no_date": ["Someday"],
            },
        ),
        (
            "Asia/Tokyo",  # Friday 08:30
            {
                "overdue": ["Thursday", "Friday 8:00"],  # a time that has passed today is overdue
                "today": ["Friday", "Friday 17:00"],  # all-day first, then by time
                "upcoming": ["Next Friday"],  # exactly 7 days away
                "later": ["In two weeks"],
                "no_date": ["Someday"],
            },
        ),
    ],
)
def test_sections_are_computed_in_the_owners_zone(zone, expected):
    owner = UserFactory(username=f"u-{zone}", timezone=zone)
    week_of_tasks(owner)

    sections = panel_sections(owner=owner)

    assert {s.key: [i.task.title for i in s.items] for s in sections.pending} == expected
    assert [s.key for s in sections.pending] == [
        k for k in ("overdue", "today", "upcoming", "later", "no_date") if k in expected
    ]
    assert [i.task.title for i in sections.completed.items] == ["Done"]
    assert sections.pending_count == 7


def test_the_panel_shows_sections_labels_and_marks_in_the_users_zone(client, user):
    user.timezone = "Asia/Tokyo"
    user.save()
    week_of_tasks(user)
    TaskFactory(
        owner=user, title="Gym", due_date=D("2026-03-09"), recurrence="FREQ=WEEKLY;BYDAY=MO", priority="high"
    )
    client.force_login(user)

    html = client.get("/tasks/panel/", **HTMX).content.decode()

    assert section_titles(html) == {
        "overdue": ["Thursday", "Friday 8:00"],
        "today": ["Friday", "Friday 17:00"],
        "upcoming": ["Gym", "Next Friday"],
        "later": ["In two weeks"],
        "no_date": ["Someday"],
    }
    assert 'id="pending-count">8<' in html and 'id="completed-count">1<' in html
    # overdue: marked, and said in words
    assert (
        '<time class="due overdue" datetime="2026-03-05">' in html
        and "Overdue, was due </span>Yesterday" in html
    )
    assert (
        '<time class="due" datetime="2026-03-06T17:00"><span class="sr-only">Due </span>Today 17:00</time>'
        in html
    )
    assert "Mon 9 Mar" in html and "Fri 13 Mar" in html
    assert 'aria-label="Repeats every Monday"' in html
    assert '<span class="sr-only">High priority</span>' in html
    # Completed is a collapsed <details>
    assert re.search(r'<details class="task-completed" id="completed-section">\s*<summary', html)


def test_the_chat_page_renders_the_sections_and_the_add_form(client_in, user):
    TaskFactory(owner=user, title="Today's", due_date=D("2026-03-05"))

    html = client_in.get("/").content.decode()

    assert section_titles(html) == {"today": ["Today&#x27;s"]}
    for field in ("new-task-title", "new-task-date", "new-task-time", "new-task-priority"):
        assert f'for="{field}"' in html and f'id="{field}"' in html
    assert '<input type="date" id="new-task-date" name="due_date">' in html


def test_an_empty_panel_says_so(client_in):
    html = client_in.get("/tasks/panel/", **HTMX).content.decode()
    assert "Nothing to do." in html and 'id="pending-count">0<' in html


# --- Add ---------------------------------------------------------------------------------------------------
def test_adding_with_a_date_time_and_priority(client_in, user):
    html = client_in.post(
        "/tasks/add/",
        {"title": "Dentist", "due_date": "2026-03-06", "due_time": "09:15", "priority": "high"},
        **HTMX,
    ).content.decode()

    task = selectors.task_list(owner=user).get()
    assert (task.due_date, task.due_time, task.priority) == (D("2026-03-06"), dt.time(9, 15), "high")
    assert section_titles(html) == {"upcoming": ["Dentist"]} and "Tomorrow 09:15" in html


def test_adding_a_time_alone_means_the_next_such_time(client_in, user):
    client_in.post("/tasks/add/", {"title": "Call", "due_time": "10:00"}, **HTMX)  # 23:30 UTC now
    task = selectors.task_list(owner=user).get()
    assert (task.due_date, task.due_time) == (D("2026-03-06"), dt.time(10, 0))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "x", "due_date": "2026-02-30"}, "Due date: Enter a valid date."),
        (
            {"title": "x", "priority": "urgent"},
            "Priority must be none, low, medium or high, not &#x27;urgent&#x27;.",
        ),
        ({"title": "x" * 201}, "A title can be at most 200 characters."),
    ],
)
def test_adding_refuses_bad_fields_with_a_note(client_in, user, data, message):
    html = client_in.post("/tasks/add/", data, **HTMX).content.decode()
    assert f'<p class="panel-error" role="alert">{message}</p>' in html
    assert not selectors.task_list(owner=user).exists()


# --- Inline edit -------------------------------------------------------------------------------------------
def test_the_edit_form_is_filled_with_the_task(client_in, user):
    task = TaskFactory(
        owner=user,
        title="Gym <3",
        description="legs",
        due_date=D("2026-03-09"),
        due_time=dt.time(7, 30),
        priority="medium",
        recurrence="FREQ=WEEKLY;BYDAY=MO",
    )

    html = client_in.get(f"/tasks/{task.pk}/edit/", **HTMX).content.decode()

    assert html.lstrip().startswith(f'<li class="task editing" id="task-edit-{task.pk}">')
    assert f'hx-post="/tasks/{task.pk}/edit/"' in html
    assert 'value="Gym &lt;3"' in html and ">legs</textarea>" in html
    assert 'name="due_date" value="2026-03-09"' in html and 'name="due_time" value="07:30"' in html
    assert '<option value="medium" selected>Medium</option>' in html
    assert 'name="repeat" value="every Monday"' in html
    for field in ("title", "description", "date", "time", "priority", "repeat"):
        assert f'<label class="field" for="edit-{task.pk}-{field}">' in html


def test_saving_an_edit_goes_through_the_service(client_in, user):
    task = TaskFactory(owner=user, title="Read", recurrence="", priority="none")

    html = client_in.post(
        f"/tasks/{task.pk}/edit/",
        {
            "title": "Read a novel",
            "description": "",
            "due_date": "2026-03-05",
            "due_time": "23:45",
            "priority": "high",
            "repeat": "",
        },
        **HTMX,
    ).content.decode()

    task.refresh_from_db()
    assert (task.title, task.due_date, task.due_time, task.priority) == (
        "Read a novel",
        D("2026-03-05"),
        dt.time(23, 45),
        "high",
    )
    assert section_titles(html) == {"today": ["Read a novel"]}
    assert "task editing" not in html and "panel-error" not in html


def test_an_unchanged_repeat_is_left_alone_and_a_new_one_is_parsed(client_in, user):
    task = TaskFactory(
        owner=user, title="Gym", due_date=D("2026-03-09"), recurrence="FREQ=WEEKLY;BYDAY=MO;WKST=MO"
    )
    base = {"title": "Gym", "due_date": "2026-03-09", "priority": "none"}

    client_in.post(f"/tasks/{task.pk}/edit/", {**base, "repeat": "every Monday"}, **HTMX)
    task.refresh_from_db()
    assert task.recurrence == "FREQ=WEEKLY;BYDAY=MO;WKST=MO"  # not rewritten

    client_in.post(f"/tasks/{task.pk}/edit/", {**base, "repeat": "every weekday"}, **HTMX)
    task.refresh_from_db()
    assert task.recurrence == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"

    client_in.post(f"/tasks/{task.pk}/edit/", {**base, "due_date": "", "repeat": ""}, **HTMX)
    task.refresh_from_db()
    assert (task.due_date, task.due_time, task.recurrence) == (None, None, "")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "y" * 201}, "A title can be at most 200 characters."),
        ({"title": "  "}, "A task needs a title."),
        ({"repeat": "every blue moon"}, "I couldn&#x27;t read &quot;every blue moon&quot; as a repeat."),
        ({"due_time": "25:00"}, "Due time: Enter a valid time."),
    ],
)
def test_a_refused_edit_keeps_the_form_open_with_what_was_typed(client_in, user, change, message):
    task = TaskFactory(owner=user, title="Keep me", due_date=D("2026-03-06"))
    data = {"title": "Typed title", "due_date": "2026-03-07", "priority": "low", "repeat": "", **change}

    response = client_in.post(f"/tasks/{task.pk}/edit/", data, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="task-panel-body"')
    assert '<p class="panel-error" role="alert">' + message in html
    assert f'id="task-edit-{task.pk}"' in html and f'value="{data["title"]}"' in html
    assert 'name="due_date" value="2026-03-07"' in html
    task.refresh_from_db()
    assert (task.title, task.due_date, task.priority) == ("Keep me", D("2026-03-06"), Task.Priority.NONE)


def test_cancel_gets_the_row_back(client_in, user):
    task = TaskFactory(owner=user, title="Row", due_date=D("2026-03-06"), due_time=dt.time(17))

    html = client_in.get(f"/tasks/{task.pk}/", **HTMX).content.decode()

    assert html.lstrip().startswith('<li class="task" id="task-') and "Tomorrow 17:00" in html


@pytest.mark.parametrize(("method", "path"), [("get", "edit/"), ("post", "edit/"), ("get", "")])
def test_someone_elses_task_is_not_found(client_in, other_user, method, path):
    theirs = TaskFactory(owner=other_user, title="Theirs")

    response = getattr(client_in, method)(f"/tasks/{theirs.pk}/{path}", {"title": "Mine now"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200 and f"Task {theirs.pk} was not found." in html
    assert response["HX-Retarget"] == "#task-panel-body" and response["HX-Reswap"] == "outerHTML"
    assert "Theirs" not in html
    assert Task.objects.get(pk=theirs.pk).title == "Theirs"
    assert client_in.get(f"/tasks/{theirs.pk}/edit/").status_code == 404  # without HTMX: a plain 404


def test_editing_needs_login_post_or_get_and_csrf(user):
    task = TaskFactory(owner=user, title="Guarded")
    assert Client().get(f"/tasks/{task.pk}/edit/").status_code == 302
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    lenient = Client()
    lenient.force_login(user)
    assert lenient.put(f"/tasks/{task.pk}/edit/").status_code == 405
    assert client.post(f"/tasks/{task.pk}/edit/", {"title": "Hacked"}, **HTMX).status_code == 403
    assert client.post("/tasks/add/", {"title": "Sneaky"}, **HTMX).status_code == 403

    token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/").content.decode()).group(1)
    response = client.post(f"/tasks/{task.pk}/edit/", {"title": "Renamed"}, HTTP_X_CSRFTOKEN=token, **HTMX)
    assert response.status_code == 200
    assert selectors.task_get(owner=user, task_id=task.pk).title == "Renamed"
