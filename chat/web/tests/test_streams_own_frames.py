"""The socket streaming a turn gets its frames straight from its TurnStream, not back through the channel layer,
while the other tabs showing the conversation get every one; once its turn is over it follows the conversation
live again. The real ASGI stack, in-process channel layer, engine and the Groq-wire emulator."""

import asyncio

import pytest
from channels.layers import get_channel_layer

from chat.web.consumers import ChatConsumer
from groq_emulator import Fault, Reply

from .test_consumers import composer_idle, frames_until, is_transcript, send, turn_frames
from .test_streams import WORDS, a_conversation, tab

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


@pytest.fixture
def layer_frames(monkeypatch):
    """Every turn frame the layer delivers to a socket: (its own turn's?, the frame's turn id)."""
    delivered: list[tuple[bool, str]] = []
    original = ChatConsumer.turn_frame

    async def counting(self, message):
        own = self._turn is not None and message["turn_id"] == self._turn.id
        delivered.append((own, message["turn_id"]))
        await original(self, message)

    monkeypatch.setattr(ChatConsumer, "turn_frame", counting)
    return delivered


async def test_the_streaming_socket_gets_none_of_its_own_frames_through_the_layer(
    user, emulator, layer_frames
):
    sender = await tab(user)
    conversation = await a_conversation(user, sender)  # a new chat: its turn streamed without the group too
    watcher = await tab(user, conversation.pk)
    emulator.push_fault(Fault(kind="slow", seconds=0.01, count=1))
    emulator.push_reply(Reply(content=WORDS))

    await send(sender, "say many words", conversation_id=str(conversation.pk))
    sent = turn_frames(await frames_until(sender))
    seen = turn_frames(await frames_until(watcher))

    assert "word119" in sent[-1] and "word119" in seen[-1]
    assert len(sent) > 2 and len(seen) > 2
    assert [own for own, _ in layer_frames].count(False) >= len(
        seen
    ) - 1  # the watcher's came through the layer
    assert not any(own for own, _ in layer_frames)  # the sender's never did
    for communicator in (sender, watcher):
        await communicator.disconnect()


async def test_the_streaming_socket_leaves_the_group_before_its_stream_publishes(
    user, emulator, layer_frames, monkeypatch
):
    """However long leaving the conversation's group takes (a Redis round trip, longer on a busy machine), the
    turn's stream publishes nothing until the socket is out: none of its own frames comes back through the layer."""
    sender = await tab(user)
    conversation = await a_conversation(user, sender)
    watcher = await tab(user, conversation.pk)
    layer_class = type(get_channel_layer())
    leave = layer_class.group_discard

    async def slow_leave(self, group, channel):
        await asyncio.sleep(0.3)
        await leave(self, group, channel)

    monkeypatch.setattr(layer_class, "group_discard", slow_leave)
    emulator.push_fault(Fault(kind="slow", seconds=0.01, count=1))  # a reply still streaming after the leave
    emulator.push_reply(Reply(content=WORDS))

    await send(sender, "say many words", conversation_id=str(conversation.pk))
    sent = turn_frames(await frames_until(sender))
    seen = turn_frames(await frames_until(watcher))

    await asyncio.sleep(0.6)  # the sender handles what the layer queued for it while it was leaving

    assert "word119" in sent[-1] and "word119" in seen[-1]
    assert layer_frames and not any(own for own, _ in layer_frames)
    for communicator in (sender, watcher):
        await communicator.disconnect()


async def test_after_its_own_turn_the_socket_follows_the_next_turn_live(user, emulator, layer_frames):
    first = await tab(user)
    conversation = await a_conversation(user, first)
    second = await tab(user, conversation.pk)
    emulator.push_fault(Fault(kind="slow", seconds=0.02, count=1))
    emulator.push_reply(Reply(content=WORDS))

    await send(second, "now from the other tab", conversation_id=str(conversation.pk))
    await frames_until(second)
    followed = turn_frames(await frames_until(first))

    # joined live (the snapshot with a busy composer), then frame by frame up to the end: not only a saved transcript
    assert is_transcript(followed[0]) and 'data-busy="true"' in followed[0]
    assert len(followed) > 2 and not any(is_transcript(f) for f in followed[1:])
    assert "word119" in "".join(followed) and composer_idle(followed[-1])
    assert [
        turn for own, turn in layer_frames if not own
    ]  # through the layer: the first tab rejoined its group
    for communicator in (first, second):
        await communicator.disconnect()
