"""The stop listener of one turn, on the real channel layer: a Stop for its turn stops it, and closing it leaves
the control group and ends its receive, even when the close itself is cancelled."""

import asyncio
import logging
from types import SimpleNamespace

import pytest
from channels.layers import get_channel_layer

from chat.web.stop_listener import StopListener
from core import broadcast

from .test_stop_anywhere import control_members, stop_listeners

pytestmark = pytest.mark.timeout(30)


class StandInTurn:
    """What the listener reads of a turn: its owner, conversation and id, and stop()."""

    def __init__(self, *, user_id: int, conversation_id: int) -> None:
        self.user = SimpleNamespace(pk=user_id)
        self.conversation_id = conversation_id
        self.id = "the-running-turn"
        self.stopped = asyncio.Event()

    def stop(self) -> None:
        self.stopped.set()


async def stop_sent(turn: StandInTurn, *, turn_id: str | None) -> None:
    group = broadcast.conversation_control_group(turn.user.pk, turn.conversation_id)
    await get_channel_layer().group_send(
        group, broadcast.turn_stop(conversation_id=turn.conversation_id, turn_id=turn_id)
    )


async def test_a_stop_for_its_turn_stops_it_and_one_for_another_turn_does_not(caplog):
    turn = StandInTurn(user_id=901, conversation_id=31)
    listener = StopListener(turn)
    await listener.start()

    await stop_sent(turn, turn_id="an-earlier-turn")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(turn.stopped.wait(), timeout=0.3)
    await stop_sent(turn, turn_id=turn.id)
    await asyncio.wait_for(turn.stopped.wait(), timeout=5)

    with caplog.at_level(logging.WARNING, logger="chat.web.stop_listener"):
        await listener.close()
    assert await control_members(901, 31) == 0 and stop_listeners() == []
    assert caplog.records == []


async def test_a_close_cancelled_on_the_way_still_ends_the_receive_and_passes_the_cancel_on():
    turn = StandInTurn(user_id=902, conversation_id=32)
    listener = StopListener(turn)
    await listener.start()
    receive = listener._task

    closing = asyncio.create_task(listener.close())
    await asyncio.sleep(0)  # the close is under way
    closing.cancel()

    with pytest.raises(asyncio.CancelledError):
        await closing
    await asyncio.sleep(0)
    assert receive is not None and receive.done()
    assert stop_listeners() == []
