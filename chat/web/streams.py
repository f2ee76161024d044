"""Streams anyone can join: a turn started in one tab is shown live in every tab of its owner showing that
conversation, on any worker process, and can be stopped from any of them.

    TurnStream      runs in the process of the turn, from start to end, whether or not the starting socket stays
                    connected: relays the turn (chat.web.relay: text already coalesced, ~40 ms), sends each frame
                    to the starting socket while it is attached, saves the snapshot (chat.web.snapshots) and
                    publishes the frame to the conversation's group. It listens for Stop from any tab or the
                    API while the turn runs (chat.web.stop_listener). Every turn has one, whatever started it:
                    a socket (`send`: its frames go to it directly, and it stays out of the group until
                    `on_end`, so the layer never brings them back) or the REST API (no local socket).
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
from chat.web.stop_listener import StopListener
from core import broadcast

logger = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[None]]
# The other tabs (and the snapshot) get a turn's frames batched this often, the starting socket each at once: on
# Redis every publication is a snapshot write and a group send, a few hundred microseconds of this process's CPU.
PUBLISH_SECONDS = 0.15
# While the last publication reached no other tab, publishing only keeps the snapshot fresh for a tab that may yet
# open the conversation: it joins from the snapshot (at most this old), and once it is in the group the next
# publication sees it and the pace goes back to PUBLISH_SECONDS. Most turns are watched by no other tab.
UNWATCHED_PUBLISH_SECONDS = 0.5
# A turn that opens its conversation starts as unwatched: its first publication waits that long too.


class TurnStream:
    def __init__(
        self,
        turn: Turn,
        *,
        send: Send | None = None,
        on_end: Callable[[TurnStream], Awaitable[None]] | None = None,
    ):
        self.turn = turn
        self._local = send
        self._on_end = on_end  # the starting socket's: called once the stream is over (its last frame out)
        self._relay = TurnRelay(turn, self._deliver, wanted=self._frames_wanted)
        self._seq = 0
        # Frames not yet published to the other tabs (None: not rendered).
        self._pending: list[str | None] = []
        self._published_at = 0.0
        self._watched = True  # the last publication reached another tab (or the layer could not say)
        if turn.opens_conversation:  # the turn created its conversation: no other tab can be showing it yet
            self._published_at, self._watched = asyncio.get_running_loop().time(), False
        self._publishing = asyncio.Lock()  # one publication at a time, in order
        self._timer: asyncio.TimerHandle | None = None
        self._late: asyncio.Task | None = None  # a publication the timer started (kept referenced)
        owner, conversation = turn.user.pk, turn.conversation_id
        self.group = broadcast.conversation_group(owner, conversation)
        self._task: asyncio.Task | None = None

    def start(self) -> TurnStream:
        # A context of its own, like the turn's: the stream outlives the socket (and its thread executor).
        self._task = asyncio.create_task(
            self._run(), name=f"chat-stream-{self.turn.conversation_id}", context=contextvars.Context()
        )
        return self

    def detach(self) -> None:
        """The starting socket closed: keep streaming to the others (a reconnect rejoins from the snapshot)."""
        self._local = self._on_end = None

    @property
    def done(self) -> bool:
        """The turn's last frame went out (its bookkeeping — snapshot, group — may still be finishing)."""
        return self._task is None or self._task.done() or self._relay.live.ended

    async def finished(self) -> None:
        """Wait for the stream's end: its last frame published and its bookkeeping done."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _run(self) -> None:
        stop = StopListener(self.turn)
        try:
            await stop.start()
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
            try:
                if not self._relay.live.ended:  # late joiners must not wait for a turn nobody streams
                    with contextlib.suppress(Exception):
                        await snapshot_save(self._snapshot(ended=True))
            finally:
                if self._timer is not None:
                    self._timer.cancel()
                async with self._publishing:  # a publication under way finishes first
                    pass
                await stop.close()
                on_end, self._on_end = self._on_end, None
                if on_end is not None:
                    try:
                        await on_end(self)
                    except Exception:
                        logger.warning("The starting socket's end-of-stream step failed", exc_info=True)

    def _snapshot(self, *, ended: bool) -> LiveSnapshot:
        message = self.turn.user_message
        return LiveSnapshot(
            owner_id=self.turn.user.pk,
            conversation_id=self.turn.conversation_id,
            user_message_id=message.pk,
            turn_id=self.turn.id,
            question=message.content,
            seq=self._seq,
            ended=ended,
            bubble=self._relay.live.bubble(),
        )

    def _frames_wanted(self) -> bool:
        """Frames are rendered for the starting socket, and while another tab watches. Unwatched (most REST turns),
        the relay only follows the turn for the snapshot, and a publication carries no frames: a tab that joined
        meanwhile resyncs from that snapshot, and the next publication sees it (frames again)."""
        return self._local is not None or self._watched

    async def _deliver(self, html: str | None) -> None:
        """One coalesced frame: to the starting socket at once; to the snapshot and the conversation's group (the
        other tabs) with the frames before it, at most every PUBLISH_SECONDS while another tab watches, every
        UNWATCHED_PUBLISH_SECONDS while none does (and at once for the first and the last one)."""
        self._pending.append(html)  # before any await: a publication meanwhile must include it
        if self._local is not None and html is not None:
            try:
                await self._local(html)
            except Exception:  # closed under us: the others still get it
                self._local = None
        loop = asyncio.get_running_loop()
        due = self._published_at + (PUBLISH_SECONDS if self._watched else UNWATCHED_PUBLISH_SECONDS)
        if self._relay.live.ended or loop.time() >= due:
            await self._publish()
        elif self._timer is None:
            self._timer = loop.call_at(due, self._publish_later)

    def _publish_later(self) -> None:
        self._timer = None
        self._late = asyncio.ensure_future(self._publish())

    async def _publish(self) -> None:
        """Snapshot first, then the frames to the group, numbered: a tab that joins in between misses nothing."""
        async with self._publishing:
            if not self._pending:
                return
            html = None if None in self._pending else "".join(self._pending)
            terminal = self._relay.live.ended
            self._pending.clear()
            self._seq += 1
            snapshot = self._snapshot(ended=terminal)  # the page as of exactly these frames
            self._published_at = asyncio.get_running_loop().time()
            try:
                await snapshot_save(snapshot)
            except Exception:
                logger.warning("Could not save the live turn's snapshot", exc_info=True)
            message = broadcast.turn_frame(
                conversation_id=self.turn.conversation_id,
                turn_id=self.turn.id,
                user_message_id=self.turn.user_message.pk,
                seq=self._seq,
                html=html,
                terminal=terminal,
            )
            reached = await broadcast.agroup_send(self.group, message)
            self._watched = reached is None or reached > 0


SHOW, SKIP, RESYNC = "show", "skip", "resync"


class StreamFollower:
    """Which live frames one socket shows. A turn is joined through a resync (the whole transcript with the
    live turn as its snapshot shows it), then followed frame by frame; a gap resyncs again."""

    def __init__(self) -> None:
        self._own: set[str] = set()  # turns this socket streams itself (TurnStream sends them directly)
        self._shown: dict[str, int] = {}  # turn (its id, chat.turn.engine.Turn.id) → the last frame shown
        self._over: set[str] = set()  # turns this socket saw end, live or saved
        self._conversations: dict[str, int] = {}  # turn → its conversation (for the turns joined)

    def streams(self, turn_id: str) -> None:
        self._own.add(turn_id)

    def synced(self, turn_id: str, seq: int, conversation_id: int | None = None) -> None:
        """A resync sent the snapshot that includes frames 1..seq."""
        self._shown[turn_id] = seq
        if conversation_id is not None:
            self._conversations[turn_id] = conversation_id

    def over(self, turn_id: str) -> None:
        """The saved transcript was sent: the turn's later frames are not needed."""
        self._shown.pop(turn_id, None)
        self._over.add(turn_id)

    def live_turn(self, conversation_id: int) -> str | None:
        """The conversation's turn this socket joined and has not seen end (the one its Stop button means)."""
        live = [turn for turn in self._shown if self._conversations.get(turn) == conversation_id]
        return live[-1] if live else None

    def following(self, turn_id: str) -> bool:
        return turn_id in self._own or turn_id in self._shown

    def showed_end(self, turn_id: str) -> bool:
        """Needs no saved transcript: this socket streams the turn, follows it live (its end comes as a
        frame), or saw it end."""
        return self.following(turn_id) or turn_id in self._over

    def accept(self, message: dict) -> str:
        turn, seq = message["turn_id"], message["seq"]
        if turn in self._own or turn in self._over:
            return SKIP
        last = self._shown.get(turn)
        if last is not None and seq <= last:  # already in the snapshot this socket was sent
            return SKIP
        if last is None or seq != last + 1:  # a turn seen first now, or frames lost on the way
            return RESYNC
        if message["html"] is None:  # published while no tab watched: frames not rendered
            return RESYNC
        self._shown[turn] = seq
        if message["terminal"]:
            self.over(turn)
        return SHOW
