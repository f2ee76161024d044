"""The relay's pacing: the first text goes out at once, later text is coalesced, every event ends up on the wire."""

import asyncio
from types import SimpleNamespace

from chat.turn.event_log import EventLog
from chat.turn.events import ReasoningDelta, TextDelta, TurnDone, TurnStarted
from chat.web.relay import TurnRelay


class ScriptedTurn:
    """Stands in for a running chat.turn.engine.Turn: events come from a log the test fills."""

    def __init__(self):
        self.user_message = SimpleNamespace(pk=7, content="hi")
        self.log = EventLog()  # the turn's own log: the test appends events to it

    def listen(self):
        return self.log.reader()


async def test_first_text_at_once_then_coalesced():
    turn = ScriptedTurn()
    frames: list[str] = []
    got_frame = asyncio.Event()

    async def send(frame: str) -> None:
        frames.append(frame)
        got_frame.set()

    relay = TurnRelay(turn, send, flush_seconds=3600)  # coalescing would hold text for an hour
    running = asyncio.create_task(relay.run())
    turn.log.append(TurnStarted(1, "Chat", 7, False))
    turn.log.append(TextDelta("First"))
    async with asyncio.timeout(2):
        while not any("First" in f for f in frames):
            got_frame.clear()
            await got_frame.wait()

    turn.log.append(TextDelta(" second"))
    turn.log.append(TextDelta(" third"))
    await asyncio.sleep(0.05)
    assert not any("second" in f for f in frames)  # held back: inside the coalescing window
    turn.log.append(TurnDone(9, "First second third", "complete"))
    await asyncio.wait_for(running, 2)

    deltas = [f for f in frames if "second" in f or "third" in f]
    assert len(deltas) >= 1 and " second third" in deltas[0]  # one frame for both, flushed before the end
    assert relay.ended


async def test_the_first_thought_goes_out_at_once_and_later_ones_are_coalesced():
    turn = ScriptedTurn()
    frames: list[str] = []

    async def send(frame: str) -> None:
        frames.append(frame)

    relay = TurnRelay(turn, send, flush_seconds=3600)
    running = asyncio.create_task(relay.run())
    turn.log.append(TurnStarted(1, "Chat", 7, False))
    turn.log.append(ReasoningDelta("Let me"))
    async with asyncio.timeout(2):
        while not any("Let me" in f for f in frames):
            await asyncio.sleep(0.01)  # "Thinking…" shows at once

    turn.log.append(ReasoningDelta(" check"))
    turn.log.append(ReasoningDelta(" the list"))
    await asyncio.sleep(0.05)
    assert not any("check" in f for f in frames)  # held back: inside the coalescing window
    turn.log.append(TextDelta("Done"))  # the first text still goes out at once, with the thoughts before it
    async with asyncio.timeout(2):
        while not any("Done" in f for f in frames):
            await asyncio.sleep(0.01)
    assert any(" check the list" in f and "Done" in f for f in frames)
    turn.log.append(TurnDone(9, "Done", "complete"))
    await asyncio.wait_for(running, 2)
