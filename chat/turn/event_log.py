"""A turn's events, for any number of listeners: each reads the whole turn from its first event, however late it
starts reading. A turn started from the REST API has two (its answer, and the stream to the pages showing the
conversation); one from the chat page has one. Events are small and a turn is bounded, so they are all kept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from chat.turn.events import TurnEvent


class EventLog:
    def __init__(self) -> None:
        self._events: list[TurnEvent] = []
        self._grown = asyncio.Event()

    def append(self, event: TurnEvent) -> None:
        self._events.append(event)
        # Wake every reader waiting now; later waits use a fresh event.
        grown, self._grown = self._grown, asyncio.Event()
        grown.set()

    async def follow(self) -> AsyncIterator[TurnEvent]:
        """Every event from the first, in order, ending with the terminal one."""
        read = 0
        while True:
            while read < len(self._events):
                event = self._events[read]
                read += 1
                yield event
                if event.terminal:
                    return
            await self._grown.wait()
