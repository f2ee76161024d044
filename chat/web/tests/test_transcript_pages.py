"""The chat page shows a long conversation's newest page; "Load earlier" fetches the page before it."""

import re

import pytest

from chat.tests.test_selectors import long_conversation

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def questions(html: str) -> list[int]:
    # Each question's bubble text (its Edit button carries the text again, in data-text).
    return [int(n) for n in re.findall(r'<p class="plain">question (\d+)', html)]


def earlier_url(html: str) -> str | None:
    match = re.search(r'id="load-earlier-button" hx-get="([^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_a_300_message_conversation_opens_on_its_newest_page_and_loads_earlier(client, user):
    conversation = long_conversation(user)
    client.force_login(user)

    page = client.get(f"/c/{conversation.pk}/").content.decode()
    shown = questions(page)
    assert shown[-1] == 99 and shown == list(range(shown[0], 100)) and len(shown) < 100
    url = earlier_url(page)
    assert url and url.startswith(f"/c/{conversation.pk}/earlier/?before=")

    seen = shown
    while url:
        response = client.get(url, **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert "reply-interrupted" not in html and "no-reply-yet" not in html
        seen = questions(html) + seen
        url = earlier_url(html)
    assert seen == list(range(100))


def test_another_users_conversation_is_not_found(client, user, other_user):
    theirs = long_conversation(other_user, 10)
    client.force_login(user)
    message = theirs.messages.last()
    assert client.get(f"/c/{theirs.pk}/earlier/?before={message.pk}", **HTMX).status_code == 404
    assert client.get(f"/c/{theirs.pk}/").status_code == 404


def test_a_short_conversation_has_no_load_earlier(client, user):
    conversation = long_conversation(user, 5)
    client.force_login(user)
    page = client.get(f"/c/{conversation.pk}/").content.decode()
    assert questions(page) == [0, 1, 2, 3, 4] and earlier_url(page) is None
