"""A running turn's events → websocket frames. The first text (and the first reasoning) goes out at once; after it,
deltas are coalesced so a frame goes out at most every `flush_seconds`, not per token. Events are taken in
batches (whatever arrived together), with no task per event. chat.web.streams creates one per turn; rendering is
chat.web.live's. While `wanted()` says no frame is wanted, the turn is followed but not rendered: `send` gets None."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from chat.turn.engine import Turn
from chat.turn.events import (
    ReasoningDelta,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    TurnDone,
    TurnEvent,
    TurnFailed,
    TurnStarted,
)
from chat.web.live import LiveTurn

FLUSH_SECONDS = 0.04


class TurnRelay:
    def __init__(
        self,
        turn: Turn,
        send: Callable[[str | None], Awaitable[None]],
        *,
        flush_seconds: float = FLUSH_SECONDS,
        wanted: Callable[[], bool] = lambda: True,
    ):
        self.turn = turn
        self._events = turn.listen()  # from the turn's first event, whenever this relay starts
        page = getattr(turn.user_message, "transcript_page", None) if getattr(turn, "retry", False) else None
        self.live = LiveTurn(user_message=turn.user_message, page=page)
        self._send = send
        self._wanted = wanted
        self._flush_seconds = flush_seconds
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._last_flush = 0.0
        self._text_sent = False  # the first visible text goes out at once, without waiting for the window
        self._thought_sent = False  # so does the first reasoning ("Thinking…" shows at once)
        self.ended = False  # the terminal frame went out

    async def run(self) -> None:
        """Relay until the turn's terminal event has been sent."""
        loop = asyncio.get_running_loop()
        self._last_flush = loop.time()
        while True:
            pending = self._text or self._reasoning
            timeout = max(0.0, self._last_flush + self._flush_seconds - loop.time()) if pending else None
            batch = await self._events.batch(timeout)
            if not batch:  # the window closed with text waiting
                await self._flush()
                continue
            for event in batch:
                if isinstance(event, TextDelta | ReasoningDelta):
                    (self._text if isinstance(event, TextDelta) else self._reasoning).append(event.text)
                    if not self._text_sent and (isinstance(event, TextDelta) or not self._thought_sent):
                        await self._flush()  # the first text (and the first thought) goes out at once
                    continue
                await self._flush()
                self.live.rendering = self._wanted()
                await self._send(self._render(event))
                if event.terminal:
                    self.ended = True
                    return
            if loop.time() - self._last_flush >= self._flush_seconds:
                await self._flush()

    async def _flush(self) -> None:
        if self._text or self._reasoning:
            self._text_sent = self._text_sent or bool(self._text)
            self._thought_sent = self._thought_sent or bool(self._reasoning)
            self.live.rendering = self._wanted()
            frame = self.live.deltas(text="".join(self._text), reasoning="".join(self._reasoning))
            self._text.clear()
            self._reasoning.clear()
            await self._send(frame)
        self._last_flush = asyncio.get_running_loop().time()

    def _render(self, event: TurnEvent) -> str | None:
        if isinstance(event, TurnStarted):
            return self.live.started(event)
        if isinstance(event, ToolCallStarted):
            return self.live.tool_started(event)
        if isinstance(event, ToolCallFinished):
            return self.live.tool_finished(event)
        if isinstance(event, TurnDone):
            return self.live.done(event)
        if isinstance(event, TurnFailed):
            return self.live.failed(event)
        raise TypeError(f"unexpected turn event {event!r}")
