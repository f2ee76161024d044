"""The task panel's windows: each section shows a bounded window with its real total, "Show more" pages through
the rest (owner-scoped), and a panel for thousands of tasks stays far below the websocket's frame limit."""

import datetime as dt
import random
import re

import pytest

from tasks import selectors
from tasks.models import Task
from tasks.panel import task_panel_html
from tasks.sections import SECTION_MAX_LIMIT, SECTION_WINDOW, panel_sections, section_key
from tasks.tests.factories import TaskFactory
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

HTMX = {"HTTP_HX_REQUEST": "true"}
INSTANT = dt.datetime(2026, 3, 5, 23, 30, tzinfo=dt.UTC)  # Thursday 15:30 in Los Angeles
TODAY = dt.date(2026, 3, 5)
FRAME_LIMIT = 256 * 1024


def many_tasks(
    owner, n: int = 1500, *, title: str = "Task", description: str = "", today: dt.date = TODAY
) -> None:
    """n tasks spread over every section (a sixth each: overdue, today, upcoming, later, no date, completed)."""
    due = [
        today - dt.timedelta(days=3),
        today,
        today + dt.timedelta(days=2),
        today + dt.timedelta(days=30),
        None,
    ]
    tasks = []
    for i in range(n):
        kind = i % 6
        tasks.append(
            Task(
                owner=owner,
                title=f"{title} {i}",
                description=description,
                due_date=due[kind] if kind < 5 else today,
                completed=kind == 5,
                completed_at=INSTANT - dt.timedelta(minutes=i) if kind == 5 else None,
            )
        )
    Task.objects.bulk_create(tasks)


def rows(html: str) -> list[str]:
    return re.findall(r'<li class="task[^"]*" id="task-(\d+)"', html)


def test_the_section_queries_follow_the_section_rule():
    owner = UserFactory(timezone="America/Los_Angeles")
    rng = random.Random(7)
    for i in range(120):
        day = TODAY + dt.timedelta(days=rng.randint(-3, 12))
        TaskFactory(
            owner=owner,
            title=f"t{i}",
            due_date=None if i % 7 == 0 else day,
            due_time=dt.time(rng.randint(0, 23), 0) if i % 2 else None,
            completed=i % 5 == 0,
        )
    sections = panel_sections(owner=owner, limit=1000)
    from tasks.clock import local_now

    now = local_now(owner.timezone)
    for section in sections.pending:
        assert {section_key(item.task, now) for item in section.items} == {section.key}
    assert all(item.task.completed for item in sections.completed.items)
    total = sum(s.total for s in sections.pending) + sections.completed.total
    assert total == Task.objects.filter(owner=owner).count()


def test_a_panel_of_1500_tasks_shows_a_window_of_each_section_with_real_totals():
    owner = UserFactory()
    many_tasks(owner)

    html = task_panel_html(owner, oob=True)

    assert len(html.encode()) < FRAME_LIMIT
    for key in ("overdue", "today", "upcoming", "later", "no_date"):
        body = re.search(rf'id="section-{key}".*?</section>', html, re.S).group(0)
        assert len(rows(body)) == SECTION_WINDOW
        assert '<span class="count">250</span>' in body
        assert f'id="section-{key}-more"' in body and f"({250 - SECTION_WINDOW} more)" in body
    completed = re.search(r'id="completed-tasks".*?</ul>', html, re.S).group(0)
    assert len(rows(completed)) == SECTION_WINDOW and 'id="completed-count">250<' in html
    assert 'id="pending-count">1250<' in html and 'id="task-count-badge"' in html


def test_long_rows_share_a_byte_budget_so_the_panel_stays_bounded():
    owner = UserFactory()
    many_tasks(owner, 600, title="x" * 190, description="y" * 2000)

    html = task_panel_html(owner, oob=True)

    assert len(html.encode()) < FRAME_LIMIT
    assert "y" * 201 not in html  # descriptions are clipped on the panel (the edit form has them whole)
    shown = len(rows(html))
    assert 6 <= shown < 6 * SECTION_WINDOW
    assert html.count("Show more") == 6  # every cut section can go on


def test_show_more_pages_through_a_section_and_ends(client):
    owner = UserFactory()
    n = 2 * SECTION_WINDOW + 20
    many_tasks(owner, 6 * n)
    client.force_login(owner)
    first = [str(t.pk) for t in selectors.task_section(owner=owner, section="later", now=INSTANT)]
    w = SECTION_WINDOW

    page2 = client.get(f"/tasks/section/later/?offset={w}", **HTMX).content.decode()
    page3 = client.get(f"/tasks/section/later/?offset={2 * w}", **HTMX).content.decode()

    assert rows(page2) == first[w : 2 * w]
    assert f"?offset={2 * w}" in page2 and "(20 more)" in page2
    assert rows(page3) == first[2 * w : n]
    assert "Show more" not in page3


def test_show_more_of_completed_is_most_recently_completed_first(client):
    owner = UserFactory()
    many_tasks(owner, 6 * 60)
    client.force_login(owner)

    page = client.get(f"/tasks/section/completed/?offset={SECTION_WINDOW}", **HTMX).content.decode()

    expected = Task.objects.filter(owner=owner, completed=True).order_by("-completed_at")[SECTION_WINDOW:60]
    assert rows(page) == [str(t.pk) for t in expected]


def test_show_more_only_ever_shows_the_users_own_tasks(client, user, other_user):
    many_tasks(other_user, 300)
    client.force_login(user)

    for key in ("overdue", "no_date", "completed"):
        response = client.get(f"/tasks/section/{key}/?offset=0", **HTMX)
        assert response.status_code == 200 and rows(response.content.decode()) == []
    assert client.get("/tasks/section/nope/?offset=0", **HTMX).status_code == 404
    assert client.get("/tasks/section/today/?offset=abc", **HTMX).status_code == 200  # no offset: the start


def test_show_more_needs_a_login(client):
    response = client.get("/tasks/section/today/?offset=50", **HTMX)
    assert response.status_code in (401, 403) or response.headers.get("HX-Redirect")


def test_show_more_with_a_limit_restores_a_wider_window_at_once(client):
    owner = UserFactory()
    many_tasks(owner, 6 * 400)
    client.force_login(owner)
    order = [str(t.pk) for t in selectors.task_section(owner=owner, section="later", now=INSTANT)]
    w = SECTION_WINDOW

    wide = client.get(f"/tasks/section/later/?offset={w}&limit={3 * w}", **HTMX).content.decode()
    capped = client.get("/tasks/section/later/?offset=0&limit=100000", **HTMX).content.decode()

    assert rows(wide) == order[w : 4 * w] and f"?offset={4 * w}" in wide
    got = rows(
        capped
    )  # at most SECTION_MAX_LIMIT rows, and the byte budget may cut sooner: Show more goes on
    assert 3 * w < len(got) <= SECTION_MAX_LIMIT and got == order[: len(got)]
    assert f"?offset={len(got)}" in capped
    assert rows(client.get("/tasks/section/later/?offset=0&limit=-5", **HTMX).content.decode()) == order[:w]
