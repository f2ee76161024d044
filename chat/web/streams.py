"""Streams anyone can join: a turn started in one tab is shown live in every tab of its owner showing that
conversation, on any worker process, and can be stopped from any of them.

    TurnStream      runs in the process of the turn, from start to end, whether or not the starting socket stays
                    connected: relays the turn (chat.web.relay: text already coalesced, ~40 ms), sends each frame
                    to the starting socket while it is attached, saves the snapshot (chat.web.snapshots) and
                    publishes the frame to the conversation's group. A Stop pressed in another tab reaches the
                    starting socket through the conversation's control group (ChatConsumer.turn_stop).
    StreamFollower  a socket's side: which published frames to show (in order, each once, not the turns it
                    streams itself); a gap — frames the channel layer dropped, or a turn joined midway — means
                    "resync from the snapshot".

Snapshot first, then publish: a listener that joins the group and then reads the snapshot misses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable

from chat.turn.engine import Turn
from chat.web import fragments
from chat.web.relay import TurnRelay
from chat.web.snapshots import LiveSnapshot, snapshot_save
from core import broadcast

logger = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[None]]


class TurnStream:
    def __init__(self, turn: Turn, *, send: Send | None = None):
        self.turn = turn
        self._local = send
        self._relay = TurnRelay(turn, self._deliver)
        self._seq = 0
        owner, conversation = turn.user.pk, turn.conversation_id
        self._group = broadcast.conversation_group(owner, conversation)
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        # A context of its own, like the turn's: the stream outlives the socket (and its thread executor).
        self._task = asyncio.create_task(
            self._run(), name=f"chat-stream-{self.turn.conversation_id}", context=contextvars.Context()
        )

    def detach(self) -> None:
        """The starting socket closed: keep streaming to the others (a reconnect rejoins from the snapshot)."""
        self._local = None

    @property
    def done(self) -> bool:
        """The turn's last frame went out (its bookkeeping — snapshot, group — may still be finishing)."""
        return self._task is None or self._task.done() or self._relay.live.ended

    async def _run(self) -> None:
        try:
            await self._relay.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Streaming a chat turn failed (conversation %s)", self.turn.conversation_id)
            if not self._relay.ended and self._local is not None:  # the composer must come back
                with contextlib.suppress(Exception):
                    await self._local(
                        fragments.notice_html("The reply could not be shown. Reload the page to see it.")
                    )
        finally:
            if not self._relay.live.ended:  # late joiners must not wait for a turn nobody streams
                with contextlib.suppress(Exception):
                    await snapshot_save(self._snapshot(ended=True))

    def _snapshot(self, *, ended: bool) -> LiveSnapshot:
        message = self.turn.user_message
        return LiveSnapshot(
            owner_id=self.turn.user.pk,
            conversation_id=self.turn.conversation_id,
            user_message_id=message.pk,
            question=message.content,
            seq=self._seq,
            ended=ended,
            bubble=self._relay.live.bubble(),
        )

    async def _deliver(self, html: str) -> None:
        """One coalesced frame: to the starting socket, into the snapshot, then to the conversation's group."""
        self._seq += 1
        if self._local is not None:
            try:
                await self._local(html)
            except Exception:  # closed under us: the others still get it
                self._local = None
        terminal = self._relay.live.ended
        try:
            await snapshot_save(self._snapshot(ended=terminal))
        except Exception:
            logger.warning("Could not save the live turn's snapshot", exc_info=True)
        message = broadcast.turn_frame(
            conversation_id=self.turn.conversation_id,
            user_message_id=self.turn.user_message.pk,
            seq=self._seq,
            html=html,
            terminal=terminal,
        )
        await broadcast.agroup_send(self._group, message)


SHOW, SKIP, RESYNC = "show", "skip", "resync"


class StreamFollower:
    """Which live frames one socket shows. A turn is joined through a resync (the whole transcript with the
    live turn as its snapshot shows it), then followed frame by frame; a gap resyncs again."""

    def __init__(self) -> None:
        self._own: set[int] = set()  # turns this socket streams itself (TurnStream sends them directly)
        self._shown: dict[int, int] = {}  # turn (its user message id) → the last frame shown
        self._over: set[int] = set()  # turns this socket saw end, live or saved

    def streams(self, user_message_id: int) -> None:
        self._own.add(user_message_id)

    def synced(self, user_message_id: int, seq: int) -> None:
        """A resync sent the snapshot that includes frames 1..seq."""
        self._shown[user_message_id] = seq

    def over(self, user_message_id: int) -> None:
        """The saved transcript was sent: the turn's later frames are not needed."""
        self._shown.pop(user_message_id, None)
        self._over.add(user_message_id)

    def following(self, user_message_id: int) -> bool:
        return user_message_id in self._own or user_message_id in self._shown

    def showed_end(self, user_message_id: int) -> bool:
        """Needs no saved transcript: this socket streams the turn, follows it live (its end comes as a
        frame), or saw it end."""
        return self.following(user_message_id) or user_message_id in self._over

    def accept(self, message: dict) -> str:
        turn, seq = message["user_message_id"], message["seq"]
        if turn in self._own or turn in self._over:
            return SKIP
        last = self._shown.get(turn)
        if last is not None and seq <= last:  # already in the snapshot this socket was sent
            return SKIP
        if last is None or seq != last + 1:  # a turn seen first now, or frames lost on the way
            return RESYNC
        self._shown[turn] = seq
        if message["terminal"]:
            self.over(turn)
        return SHOW
