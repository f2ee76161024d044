"""Bounded websocket frames, end to end over the real ASGI stack: a 1,500-task panel broadcast stays far below
256 KB, a frame over CHAT_WS_MAX_SERVER_FRAME_BYTES becomes a notice (the socket lives on, the composer comes
back), and control frames beyond the per-socket budget are ignored with one notice."""

import pytest
from channels.db import database_sync_to_async

from chat.models import Conversation
from chat.tests.test_selectors import long_conversation
from chat.web.tests.test_consumers import composer_idle, connect, frames_until, send, session_headers
from tasks import services
from tasks.clock import local_now
from tasks.tests.test_panel_windows import many_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]

FRAME_LIMIT = 256 * 1024
TOO_LARGE = "This is too large to show here — reload the page."


async def test_a_broadcast_panel_for_1500_tasks_is_windowed_and_small(user):
    today = local_now(user.timezone).date()  # the server's real clock: sections as of now
    await database_sync_to_async(many_tasks)(user, 1500, today=today)
    tab = await connect(await database_sync_to_async(session_headers)(user))

    await database_sync_to_async(services.task_create)(owner=user, title="One more")

    frame = await tab.receive_from(timeout=10)
    assert 'id="task-panel-body"' in frame and "One more" in frame
    assert len(frame.encode()) < FRAME_LIMIT
    assert frame.count("Show more") == 6
    assert 'id="pending-count">1251<' in frame and 'id="completed-count">250<' in frame
    await tab.disconnect()


async def test_an_oversized_broadcast_becomes_a_notice_and_the_socket_lives_on(user, settings, emulator):
    settings.CHAT_WS_MAX_SERVER_FRAME_BYTES = 1500  # any panel with a task is larger
    tab = await connect(await database_sync_to_async(session_headers)(user))

    await database_sync_to_async(services.task_create)(owner=user, title="Pay rent")

    frame = await tab.receive_from(timeout=10)
    assert TOO_LARGE in frame and "Pay rent" not in frame and len(frame.encode()) <= 1500
    # Still open: a turn runs, and its too-large frames still bring the composer back.
    await send(tab, "show my tasks")
    frames = await frames_until(tab)
    assert composer_idle(frames[-1])
    assert all(len(f.encode()) <= 1500 for f in frames)
    await tab.disconnect()


async def test_malformed_frames_beyond_the_budget_are_ignored_with_one_notice(user, settings):
    settings.CHAT_WS_CONTROL_FRAMES = 20
    settings.CHAT_WS_CONTROL_WINDOW_SECONDS = 3600  # no window passes during the test
    tab = await connect(await database_sync_to_async(session_headers)(user))

    for _ in range(50):
        await tab.send_to(text_data="not json")

    frames = [await tab.receive_from(timeout=5) for _ in range(21)]
    assert sum("could not be read" in f for f in frames) == 20
    assert "Too many requests from this page" in frames[-1]
    assert await tab.receive_nothing(timeout=0.3)
    await tab.disconnect()


async def test_a_thousand_view_frames_cost_at_most_the_budget(user, settings, emulator):
    settings.CHAT_WS_CONTROL_FRAMES = 20
    settings.CHAT_WS_CONTROL_WINDOW_SECONDS = 3600
    conversation = await database_sync_to_async(long_conversation)(user, 10)
    tab = await connect(await database_sync_to_async(session_headers)(user))

    for _ in range(1000):
        await tab.send_json_to({"action": "view", "conversation_id": conversation.pk})

    frames = []
    while not await tab.receive_nothing(timeout=0.5):
        frames.append(await tab.receive_from())
    notices = [f for f in frames if "Too many requests from this page" in f]
    transcripts = [f for f in frames if 'id="transcript" hx-swap-oob="innerHTML"' in f]
    assert len(notices) == 1 and 1 <= len(transcripts) <= 20
    # Messages are not control frames: the socket still chats.
    await send(tab, "show my tasks", conversation.pk)
    assert composer_idle((await frames_until(tab))[-1])
    assert await database_sync_to_async(Conversation.objects.count)() == 1
    await tab.disconnect()


async def test_the_transcript_frame_of_a_long_conversation_is_its_newest_page(user):
    conversation = await database_sync_to_async(long_conversation)(user, 100)
    tab = await connect(await database_sync_to_async(session_headers)(user))

    await tab.send_json_to({"action": "view", "conversation_id": conversation.pk})

    frame = await tab.receive_from(timeout=10)
    assert "question 99" in frame and "question 40" not in frame
    assert f"/c/{conversation.pk}/earlier/?before=" in frame
    await tab.disconnect()
