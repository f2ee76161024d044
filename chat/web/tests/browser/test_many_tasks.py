"""A user with 1,500 tasks keeps a working page: the panel shows a window of each section with "Show more", a
task added through the chat reaches the panel live, and no websocket frame the page receives reaches 256 KB."""

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from core.tests.live_server import REPO
from tasks.sections import SECTION_WINDOW

from .conftest import log_in

pytestmark = pytest.mark.browser

FRAME_LIMIT = 256 * 1024
SEED = """
import datetime as dt
from django.contrib.auth import get_user_model
from tasks.clock import local_now
from tasks.models import Task
owner = get_user_model().objects.get(username={username!r})
now = local_now(owner.timezone)
today = now.date()
due = [today - dt.timedelta(days=3), today, today + dt.timedelta(days=2), today + dt.timedelta(days=30), None]
Task.objects.bulk_create(
    Task(owner=owner, title=f"Seeded {{i}}", due_date=due[i % 6] if i % 6 < 5 else today,
         completed=i % 6 == 5, completed_at=now if i % 6 == 5 else None)
    for i in range({n})
)
"""


def seed_tasks(server, username: str, n: int) -> None:
    """Tasks made directly in the live server's database, a sixth in each section."""
    script = SEED.format(username=username, n=n)
    cmd = [sys.executable, "manage.py", "shell", "-c", script]
    subprocess.run(cmd, cwd=REPO, env=server.env, check=True, timeout=120)


def test_a_user_with_1500_tasks_keeps_a_working_page(chat_server, emulator, new_context, screenshot):
    username = chat_server.new_user()
    seed_tasks(chat_server, username, 1500)
    page = new_context(timezone_id="UTC").new_page()
    sizes: list[int] = []

    def on_websocket(ws):
        ws.on(
            "framereceived",
            lambda payload: sizes.append(len(payload.encode() if isinstance(payload, str) else payload)),
        )

    page.on("websocket", on_websocket)
    log_in(page, chat_server, username)

    for key in ("overdue", "today", "upcoming", "later", "no_date"):
        expect(page.locator(f"#section-{key} .task")).to_have_count(SECTION_WINDOW)
        expect(page.locator(f"#section-{key}-title .count")).to_have_text("250")
    expect(page.locator("#pending-count")).to_have_text("1250")
    expect(page.locator("#completed-count")).to_have_text("250")

    page.click("#section-later-more-button")
    expect(page.locator("#section-later .task")).to_have_count(2 * SECTION_WINDOW)
    expect(page.locator("#section-later-more-button")).to_contain_text(f"({250 - 2 * SECTION_WINDOW} more)")

    page.fill("#message-input", "add a task to buy oat milk")
    page.press("#message-input", "Enter")
    expect(page.locator("#section-no_date .task-title").first).to_have_text("buy oat milk")
    expect(page.locator("#pending-count")).to_have_text("1251")
    expect(page.locator("#message-input")).to_be_enabled()
    screenshot(page, "many-tasks")

    assert sizes, "the page received websocket frames"
    assert max(sizes) < FRAME_LIMIT


def test_show_more_stays_expanded_when_the_panel_re_renders(chat_server, emulator, new_context):
    username = chat_server.new_user()
    seed_tasks(chat_server, username, 6 * 80)  # 80 in each section
    page = new_context(timezone_id="UTC").new_page()
    log_in(page, chat_server, username)
    later = page.locator("#section-later .task")
    expect(later).to_have_count(SECTION_WINDOW)
    page.click("#section-later-more-button")
    # The answer replaces the button: a second click before it lands goes to the old one (as a double click would)
    expect(later).to_have_count(2 * SECTION_WINDOW)
    page.click("#section-later-more-button")
    expect(later).to_have_count(3 * SECTION_WINDOW - 10)  # all 80
    expect(page.locator("#section-later-more-button")).to_have_count(0)
    page.click("#section-overdue-more-button")
    expect(page.locator("#section-overdue .task")).to_have_count(2 * SECTION_WINDOW)

    page.fill("#message-input", "add a task to buy oat milk")  # a tool call: every tab's panel re-renders
    page.press("#message-input", "Enter")
    expect(page.locator("#section-no_date .task-title").first).to_have_text("buy oat milk")

    # the sections opened further stay as far open as they were; the others show their first window
    expect(later).to_have_count(80)
    expect(page.locator("#section-overdue .task")).to_have_count(2 * SECTION_WINDOW)
    expect(page.locator("#section-overdue-more-button")).to_contain_text(f"({80 - 2 * SECTION_WINDOW} more)")
    expect(page.locator("#section-no_date .task")).to_have_count(SECTION_WINDOW)
    page.click("#task-" + page.locator("#section-overdue .task").nth(45).get_attribute("id")[5:] + "-toggle")
    expect(page.locator("#section-overdue-title .count")).to_have_text("79")  # a panel action's own answer
    expect(page.locator("#section-overdue .task")).to_have_count(2 * SECTION_WINDOW)  # still expanded
