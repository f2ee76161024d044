"""The sidebar is rendered once for all of a user's sockets asking at the same moment, and always after they ask."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.template.loader import render_to_string

from chat import services
from chat.selectors import conversation_list
from chat.web import fragments, sidebar

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]


@pytest.fixture
def counted_renders(monkeypatch):
    calls = []
    real = fragments.conversation_list_html

    def render(owner):
        calls.append(owner.pk)
        return real(owner)

    monkeypatch.setattr(fragments, "conversation_list_html", render)
    return calls


async def test_tabs_asking_at_once_share_renders_and_see_every_change(user, counted_renders):
    await database_sync_to_async(services.conversation_create)(owner=user, title="first")
    first = [asyncio.ensure_future(sidebar.sidebar_html(user)) for _ in range(10)]
    await asyncio.sleep(0)  # the first render has started: a change now must reach the tabs asking after it
    await database_sync_to_async(services.conversation_create)(owner=user, title="second")
    later = [asyncio.ensure_future(sidebar.sidebar_html(user)) for _ in range(10)]

    before, after = await asyncio.gather(*first), await asyncio.gather(*later)

    assert len(counted_renders) == 2  # 20 sockets, one render running and one started after it
    assert all("first" in html for html in before + after)
    assert all("second" in html for html in after)


async def test_a_render_after_the_last_one_ended_starts_afresh(user, counted_renders):
    await sidebar.sidebar_html(user)
    await database_sync_to_async(services.conversation_create)(owner=user, title="later chat")

    assert "later chat" in await sidebar.sidebar_html(user)
    assert len(counted_renders) == 2


async def test_a_tab_that_closes_while_waiting_does_not_cancel_the_others(user, counted_renders):
    await database_sync_to_async(services.conversation_create)(owner=user, title="kept")
    leaving = asyncio.ensure_future(sidebar.sidebar_html(user))
    staying = asyncio.ensure_future(sidebar.sidebar_html(user))
    await asyncio.sleep(0)
    leaving.cancel()

    assert "kept" in await staying


def test_the_remembered_items_render_the_list_as_the_template_does(user):
    first = services.conversation_create(owner=user, title="groceries")
    for title in ("", "<b>plans</b> & more"):
        services.conversation_create(owner=user, title=title)
    fragments.conversation_list_html(user)  # remembered now
    services.conversation_rename(owner=user, conversation_id=first.pk, title="renamed")

    expected = render_to_string(
        "chat/_conversation_list.html", {"conversations": conversation_list(owner=user), "oob": True}
    )
    assert fragments.conversation_list_html(user) == expected
    assert "renamed" in expected and "groceries" not in expected
    assert "&lt;b&gt;plans&lt;/b&gt; &amp; more" in expected
