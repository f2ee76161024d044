"""The sidebar shows a window of the newest conversations, whatever their number: the page, every re-render (a
broadcast frame to each tab) and "Show older conversations" for the next ones."""

import re

import pytest

from chat.models import Conversation
from chat.web.fragments import SIDEBAR_LIMIT_MAX, SIDEBAR_WINDOW, conversation_list_html

pytestmark = pytest.mark.django_db


def make_conversations(owner, n: int) -> list[Conversation]:
    """`n` conversations, the last one made the newest."""
    made = Conversation.objects.bulk_create(Conversation(owner=owner, title=f"Chat {i}") for i in range(n))
    for i, conversation in enumerate(made):  # updated_at orders the sidebar: make it follow creation
        Conversation.objects.filter(pk=conversation.pk).update(
            updated_at=conversation.created_at.replace(year=2000 + i)
        )
    return made


def listed(html: str) -> list[str]:
    return re.findall(r'class="conv-link"[^>]*>([^<]*)</a>', html)


def test_the_page_shows_the_newest_window_and_a_button_for_the_rest(client_in, user):
    make_conversations(user, SIDEBAR_WINDOW + 1)

    html = client_in.get("/").content.decode()

    assert listed(html) == [
        f"Chat {i}" for i in range(SIDEBAR_WINDOW, 0, -1)
    ]  # newest first, the oldest left out
    assert f'hx-get="/conversations/?offset={SIDEBAR_WINDOW}"' in html


def test_no_button_when_everything_fits(client_in, user):
    make_conversations(user, SIDEBAR_WINDOW)

    html = client_in.get("/").content.decode()

    assert len(listed(html)) == SIDEBAR_WINDOW and "conversation-more-button" not in html


def test_show_older_loads_the_next_window_of_ones_own_conversations(client_in, user, other_user):
    make_conversations(user, SIDEBAR_WINDOW + 10)
    make_conversations(other_user, 5)

    html = client_in.get(f"/conversations/?offset={SIDEBAR_WINDOW}").content.decode()

    assert listed(html) == [f"Chat {i}" for i in range(9, -1, -1)]  # the ten oldest, none of bob's
    assert "conversation-more-button" not in html


def test_a_restore_asks_for_several_windows_at_once_within_a_limit(client_in, user):
    make_conversations(user, SIDEBAR_LIMIT_MAX + SIDEBAR_WINDOW + 5)

    restored = client_in.get(f"/conversations/?offset={SIDEBAR_WINDOW}&limit=100000").content.decode()
    junk = client_in.get("/conversations/?offset=-3&limit=abc").content.decode()

    assert len(listed(restored)) == SIDEBAR_LIMIT_MAX
    assert f"offset={SIDEBAR_WINDOW + SIDEBAR_LIMIT_MAX}" in restored
    assert listed(junk)[0] == f"Chat {SIDEBAR_LIMIT_MAX + SIDEBAR_WINDOW + 4}"  # from the start, one window
    assert len(listed(junk)) == SIDEBAR_WINDOW


def test_the_list_needs_a_login(client):
    response = client.get("/conversations/?offset=50")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_broadcast_re_render_is_one_window_however_many_conversations(user):
    make_conversations(user, 400)

    html = conversation_list_html(user)

    assert len(listed(html)) == SIDEBAR_WINDOW and 'hx-swap-oob="true"' in html
    assert f"offset={SIDEBAR_WINDOW}" in html
    assert (
        len(html) < 80_000
    )  # the unbounded list was ~1 KB a conversation: 400 KB here, over the frame guard
