"""Stop from anywhere: the process running a turn listens on the conversation's control group, with a channel of
its own, for as long as the turn runs. A Stop pressed in any tab of the owner (on any worker process, whichever
tab or API call started the turn, open or closed since) or `POST /api/conversations/{id}/stop/` reaches it.

The receive loop is never cancelled in the normal case: when the turn is over the listener sends itself a
goodbye on its channel, so the receive returns as usual. (A cancelled receive on the Redis layer interrupts the
blocking pop that all receivers of the process share; the tasks it leaves behind could hold up an event loop's
shutdown.) Cancelling is the fallback when the layer does not answer within a few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from channels.layers import get_channel_layer

from chat.turn.engine import Turn
from core import broadcast

logger = logging.getLogger(__name__)

_GOODBYE = "turn.listen_end"
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
        self._task = asyncio.create_task(self._receive(), name=f"chat-stop-{self.turn.conversation_id}")

    async def _receive(self) -> None:
        while True:
            message = await self._layer.receive(self._channel)
            kind = message.get("type")
            if kind == _GOODBYE:
                return
            if (
                kind == broadcast.TURN_STOP
                and message.get("conversation_id") == self.turn.conversation_id
                and message.get("turn_id") in (None, self.turn.id)
            ):
                self.turn.stop()

    async def close(self) -> None:
        """Leave the group and end the receive loop (by a goodbye; cancelled only if the layer is stuck)."""
        if self._channel is None:
            return
        channel, self._channel = self._channel, None
        with contextlib.suppress(Exception):
            async with asyncio.timeout(_BOUND_SECONDS):
                await self._layer.group_discard(self._group, channel)
        task = self._task
        if task is None or task.done():
            return
        try:
            async with asyncio.timeout(_BOUND_SECONDS):
                await self._layer.send(channel, {"type": _GOODBYE})
                await asyncio.shield(task)
            return
        except asyncio.CancelledError:  # the stream itself is cancelled (a loop shutting down): no orphan
            task.cancel()
            raise
        except Exception:  # the layer is stuck or broken (the timeout included): cancel the receive
            logger.warning("Stop listener ended by cancelling (conversation %s)", self.turn.conversation_id)
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
