"""The relay's pacing: the first text goes out at once, later text is coalesced, every event ends up on the wire."""

import asyncio
from types import SimpleNamespace

from chat.turn.events import TextDelta, TurnDone, TurnStarted
from chat.web.relay import TurnRelay


class ScriptedTurn:
    """Stands in for a running chat.turn.engine.Turn: events come from a queue the test fills."""

    def __init__(self):
        self.user_message = SimpleNamespace(pk=7, content="hi")
        self.queue: asyncio.Queue = asyncio.Queue()

    async def events(self):
        while True:
            event = await self.queue.get()
            yield event
            if event.terminal:
                return


async def test_first_text_at_once_then_coalesced():
    turn = ScriptedTurn()
    frames: list[str] = []
    got_frame = asyncio.Event()

    async def send(frame: str) -> None:
        frames.append(frame)
        got_frame.set()

    relay = TurnRelay(turn, send, flush_seconds=3600)  # coalescing would hold text for an hour
    running = asyncio.create_task(relay.run())
    turn.queue.put_nowait(TurnStarted(1, "Chat", 7, False))
    turn.queue.put_nowait(TextDelta("First"))
    async with asyncio.timeout(2):
        while not any("First" in f for f in frames):
            got_frame.clear()
            await got_frame.wait()

    turn.queue.put_nowait(TextDelta(" second"))
    turn.queue.put_nowait(TextDelta(" third"))
    await asyncio.sleep(0.05)
    assert not any("second" in f for f in frames)  # held back: inside the coalescing window
    turn.queue.put_nowait(TurnDone(9, "First second third", "complete"))
    await asyncio.wait_for(running, 2)

    deltas = [f for f in frames if "second" in f or "third" in f]
    assert len(deltas) >= 1 and " second third" in deltas[0]  # one frame for both, flushed before the end
    assert relay.ended
