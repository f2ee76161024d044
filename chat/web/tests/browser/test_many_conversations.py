"""A user with many conversations: the sidebar shows the newest window with "Show older conversations", and a
list re-rendered by a new chat keeps as many as the user had opened."""

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from chat.web.fragments import SIDEBAR_WINDOW
from core.tests.live_server import REPO

from .conftest import log_in

pytestmark = pytest.mark.browser

SEED = """
from django.contrib.auth import get_user_model
from chat.models import Conversation
owner = get_user_model().objects.get(username={username!r})
Conversation.objects.bulk_create(Conversation(owner=owner, title=f"Seeded {{i}}") for i in range({n}))
"""


def test_show_older_conversations_stays_open_when_the_list_re_renders(chat_server, emulator, new_context):
    username = chat_server.new_user()
    script = SEED.format(username=username, n=SIDEBAR_WINDOW + 20)
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], cwd=REPO, env=chat_server.env, check=True
    )
    page = new_context().new_page()
    log_in(page, chat_server, username)
    items = page.locator("#conversation-list > li.conv")
    expect(items).to_have_count(SIDEBAR_WINDOW)

    page.click("#conversation-more-button")
    expect(items).to_have_count(SIDEBAR_WINDOW + 20)
    expect(page.locator("#conversation-more-button")).to_have_count(0)

    page.fill("#message-input", "hello there")  # a new conversation: every tab gets a new list
    page.press("#message-input", "Enter")
    expect(items.first).to_contain_text("hello there")
    expect(items).to_have_count(
        SIDEBAR_WINDOW + 20
    )  # as far open as before; the oldest one behind the button
    expect(page.locator("#conversation-more-button")).to_have_count(1)
