"""Stop from anywhere: the process running a turn listens on the conversation's control group, with a channel of
its own, for as long as the turn runs. A Stop pressed in any tab of the owner (on any worker process, whichever
tab or API call started the turn, open or closed since) or `POST /api/conversations/{id}/stop/` reaches it.

When the turn is over the listener leaves the group and cancels its receive. That is safe on both of our layers
(core.channel_layer): on Redis, a receiver cancelled while it waits leaves the process's pop to the next one. (On
plain channels-redis it would cut that pop short; a goodbye sent to the listener's own channel cost a send and a
receive per turn.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from channels.layers import get_channel_layer

from chat.turn.engine import Turn
from core import broadcast

logger = logging.getLogger(__name__)

_BOUND_SECONDS = 3.0


class StopListener:
    def __init__(self, turn: Turn):
        self.turn = turn
        self._group = broadcast.conversation_control_group(turn.user.pk, turn.conversation_id)
        self._layer = get_channel_layer()
        self._channel: str | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        """Join the control group (bounded: a broken layer costs remote Stop, never the turn)."""
        if self._layer is None:
            return
        try:
            async with asyncio.timeout(_BOUND_SECONDS):
                self._channel = await self._layer.new_channel()
                await self._layer.group_add(self._group, self._channel)
        except Exception:
            logger.warning(
                "Stop from other tabs is off for this turn (conversation %s)",
                self.turn.conversation_id,
                exc_info=True,
            )
            self._channel = None
            return
        self._task = asyncio.create_task(
            self._receive(self._channel), name=f"chat-stop-{self.turn.conversation_id}"
        )

    async def _receive(self, channel: str) -> None:
        while True:
            message = await self._layer.receive(channel)
            if (
                message.get("type") == broadcast.TURN_STOP
                and message.get("conversation_id") == self.turn.conversation_id
                and message.get("turn_id") in (None, self.turn.id)
            ):
                self.turn.stop()

    async def close(self) -> None:
        """Leave the group (bounded: a stuck layer must not hold the turn's end) and end the receive loop, even
        when close() itself is cancelled on the way (a loop shutting down), which it then passes on."""
        if self._channel is None:
            return
        channel, self._channel = self._channel, None
        task, self._task = self._task, None
        try:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(_BOUND_SECONDS):
                    await self._layer.group_discard(self._group, channel)
        finally:
            if task is not None:
                task.cancel()
        if task is None:
            return
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():  # close() is cancelled too
                raise
        except Exception:  # the layer failed under the receive: Stop from other tabs was off since
            logger.warning("Stop listener failed (conversation %s)", self.turn.conversation_id, exc_info=True)
