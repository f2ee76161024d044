"""A turn nobody watches (its starting socket gone, no other tab showing its conversation; most REST turns) is
followed for its snapshot but its frames are not rendered: its publications carry none. A tab that joins meanwhile
still gets the whole reply (from the snapshot, then frame by frame). The real ASGI stack, in-process channel layer,
engine and the Groq-wire emulator."""

import asyncio

import pytest

from chat.web.consumers import ChatConsumer
from chat.web.streams import UNWATCHED_PUBLISH_SECONDS

from .test_consumers import composer_idle, frames_until, is_transcript, turn_frames
from .test_streams import WORDS, a_long_reply, segment_text, tab, user_message_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


@pytest.fixture
def published(monkeypatch):
    """The html of every turn frame the layer delivers to a socket."""
    delivered: list[str | None] = []
    original = ChatConsumer.turn_frame

    async def recording(self, message):
        delivered.append(message["html"])
        await original(self, message)

    monkeypatch.setattr(ChatConsumer, "turn_frame", recording)
    return delivered


async def test_an_unwatched_turn_publishes_no_frames_and_a_tab_joining_it_still_gets_the_whole_reply(
    alice, emulator, published
):
    sender, started, conversation_id = await a_long_reply(alice, emulator, 0.04)
    key = f"turn-{user_message_id(started)}"
    await frames_until(sender, done=lambda f: "word3" in f)
    await sender.disconnect()  # a reload: nobody watches the new conversation now
    await asyncio.sleep(UNWATCHED_PUBLISH_SECONDS)

    late = await tab(alice, conversation_id)
    seen = turn_frames(await frames_until(late))

    # The publication after the join carried no frames: the tab resynced. So may the next one (frames rendered
    # while the first was on its way were not rendered either). Then, watched, frames again and only frames.
    unrendered = published.count(None)
    assert 1 <= unrendered <= 2 and None not in published[unrendered:]
    assert published[unrendered:]
    last_sync = max(i for i, frame in enumerate(seen) if is_transcript(frame))
    assert f'id="{key}-seg-1"' in seen[last_sync]
    assert segment_text(seen[last_sync:], f"{key}-seg-1") == WORDS  # nothing lost or repeated
    assert "word119" in seen[-1] and composer_idle(seen[-1])
    await late.disconnect()


async def test_a_tab_whose_page_said_not_busy_gets_its_composer_back_when_the_turn_ends_unseen(
    alice, emulator, monkeypatch
):
    """The page's "view" frame can leave before the live transcript its socket sent at connect is swapped in, so
    it says "not busy" while the composer is about to show Stop. When the turn then ends in a publication with no
    frames (it was unwatched then), the saved transcript must still give the composer back."""
    original = ChatConsumer.turn_frame

    async def end_unrendered(self, message):
        await original(self, {**message, "html": None} if message["terminal"] else message)

    monkeypatch.setattr(ChatConsumer, "turn_frame", end_unrendered)
    sender, started, conversation_id = await a_long_reply(alice, emulator, 0.02)
    watcher = await tab(alice, conversation_id)
    joined = await frames_until(watcher, done=is_transcript)
    assert 'data-busy="true"' in joined[-1]  # the live transcript: the composer shows Stop
    await watcher.send_json_to({"action": "view", "conversation_id": conversation_id, "busy": False})

    seen = turn_frames(await frames_until(watcher))

    assert is_transcript(seen[-1]) and "word119" in seen[-1]  # the saved reply, with the composer idle
    await frames_until(sender)
    for communicator in (sender, watcher):
        await communicator.disconnect()
