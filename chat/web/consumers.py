"""The chat websocket (/ws/chat/?c=<conversation id>): the browser's side of a chat turn and the live panels.

    connect     authenticated users only (4401 otherwise); joins the user's group; remembers which conversation
                the page shows (`?c=`; a new chat gets one when its first turn starts) and joins its group: a
                reply streaming there is sent as far as it has got (its snapshot), then live
    receive     a JSON frame from the HTMX form: {"message", "conversation_id"} starts a turn through
                chat.turn.start.start_turn (with "edit_of": the last question, edited), streamed by
                chat.web.streams.TurnStream; {"action": "regenerate", "message_id", "conversation_id"} answers the
                last question again; {"action": "stop"} stops the turn of the page's conversation, wherever it
                runs; {"action": "view", "conversation_id"} (after a reconnect) names the page's conversation and
                gets its live turn, or its saved transcript unless a turn still runs there (then: turn_finished)
    turn_frame  a coalesced frame of a live turn in the conversation this page shows (chat.web.streams)
    tasks_changed / conversations_changed   something changed anywhere (tool, panel, API, admin, MCP): re-render
    turn_finished   a reply was saved: a page showing that conversation gets the transcript, unless this socket
                streamed that very turn or followed it live
    session_ended   the login session this socket was opened with logged out: close (4401). Each turn start also
                checks that the session still exists and is still this user's (a missed message, an expired or
                deleted session, a changed password), so a socket outliving its session cannot act

The consumer knows nothing about tools or the model. A turn outlives its socket: `disconnect` detaches it from the
turn's stream but never stops the turn, which streams on to the other tabs and is saved by the engine.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from urllib.parse import parse_qs

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from chat.turn.engine import Turn
from chat.turn.limits import turn_running
from chat.turn.start import start_turn
from chat.web import fragments
from chat.web.frames import ALLOW, NOTICE, ControlFrameLimiter, bounded_frame
from chat.web.sidebar import SidebarFeed
from chat.web.streams import RESYNC, SHOW, StreamFollower, TurnStream
from core.broadcast import (
    conversation_control_group,
    conversation_group,
    session_digest,
    turn_stop,
    user_group,
)
from core.errors import DomainError
from core.ids import parse_id
from core.sessions import SessionEnded, require_session
from tasks.panel import task_panel_html

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.user = user = self.scope.get("user")
        self.group = None
        self.session_key: str | None = None
        self.viewing: int | None = _query_id(self.scope, "c")
        self._turn: Turn | None = None
        self._stream: TurnStream | None = None
        self._transcript_task: asyncio.Task | None = None
        self._sidebar = SidebarFeed(user, lambda html: self.send(text_data=html))
        self.follower = StreamFollower()
        self.watching: str | None = None  # the group of the conversation shown (its live frames)
        self._joined: str | None = None  # the group this socket is in: watching, unless it streams its turn
        self._own_group: str | None = None  # the group its own live turn publishes to (sent here directly)
        self._groups_lock = asyncio.Lock()
        self._closed = False
        self._page_busy = False  # the page's composer shows someone else's live turn (busy, with Stop)
        self._control = ControlFrameLimiter()  # stop / view / malformed frames (chat.web.frames)
        # Accept, then close with an application code: a refused handshake would look like a network error
        # (1006) to the browser, and the HTMX ws extension would keep reconnecting.
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.session_key = getattr(self.scope.get("session"), "session_key", None)
        if self.viewing is not None:
            await self._watch(self.viewing)
            await self._join_live(self.viewing)

    async def dispatch(self, message: dict) -> None:
        """Without Channels' hop to close stale connections per message (database_sync_to_async does it per hop)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def disconnect(self, code: int) -> None:
        self._closed = True
        # Stop sending to a closed socket, but leave the turn running: it streams on, and the engine saves it.
        if self._stream is not None:
            self._stream.detach()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self._watch(None)
        for task in (self._transcript_task, self._sidebar.task):
            if task is not None:
                task.cancel()  # a finished one ignores it

    # --- frames from the browser -----------------------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.group:  # closed as unauthenticated; ignore anything that raced the close
            return
        size = (
            len(text_data.encode("utf-8", "surrogatepass"))
            if text_data is not None
            else len(bytes_data or b"")
        )
        if size > settings.CHAT_WS_MAX_FRAME_BYTES:
            if await self._control_limited():
                return
            await self._notice(
                f"That message is too large to send (over {settings.CHAT_WS_MAX_FRAME_BYTES // 1024} KB)."
            )
            return
        try:
            frame = json.loads(text_data) if text_data is not None else None
        except json.JSONDecodeError:
            frame = None
        control = (
            not isinstance(frame, dict) or frame.get("action") in ("stop", "view") or not _encodable(frame)
        )
        if control and await self._control_limited():
            return
        if not isinstance(frame, dict):
            await self._notice("That message could not be read. Please reload the page.")
            return
        if not _encodable(frame):  # e.g. a lone surrogate escaped in the JSON ("\ud800")
            await self._notice("That message contains characters that cannot be sent. Please retype it.")
            return
        action = frame.get("action")
        if action == "stop":
            await self._stop(parse_id(frame.get("conversation_id")) or self.viewing)
        elif action == "view":
            self._page_busy = frame.get("busy") is True
            await self._view(parse_id(frame.get("conversation_id")))
        else:
            await self._start(frame)

    async def _stop(self, conversation_id: int | None) -> None:
        turn = self._turn
        if turn is not None and turn.running and conversation_id in (None, turn.conversation_id):
            turn.stop()
        elif conversation_id is not None:  # a turn run elsewhere: its stream listens (chat.web.stop_listener)
            await self.channel_layer.group_send(
                conversation_control_group(self.user.pk, conversation_id),
                turn_stop(conversation_id=conversation_id, turn_id=self.follower.live_turn(conversation_id)),
            )

    async def _control_limited(self) -> bool:
        """Over this socket's control-frame budget: ignore the frame (the first ignored one gets a notice)."""
        verdict = self._control.check()
        if verdict == NOTICE:
            await self._notice("Too many requests from this page; some were ignored.", reset_composer=False)
        return verdict != ALLOW

    async def send(self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False):
        """Every frame to the browser passes the size guard (chat.web.frames.bounded_frame). A frame for a client
        that left is dropped: daphne raises Disconnected until its websocket.disconnect arrives."""
        text_data = None if text_data is None else bounded_frame(text_data)
        try:
            if not self._closed:
                await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except Disconnected:
            self._closed = True

    async def _view(self, conversation_id: int | None) -> None:
        self.viewing = conversation_id
        await self._watch(conversation_id)
        if conversation_id is not None and not await self._join_live(conversation_id):
            self._send_transcript(conversation_id, unless_running=True)

    async def _watch(self, conversation_id: int | None) -> None:
        """Receive the live frames of the conversation the page shows (and of no other)."""
        self.watching = None if conversation_id is None else conversation_group(self.user.pk, conversation_id)
        await self._sync_group()

    async def _sync_group(self) -> None:
        """Be in the group of the conversation shown, except while this socket streams a turn there itself: its
        frames come straight from its TurnStream, and the layer would only bring each one back to be dropped.
        Other tabs and processes still get every frame. What another turn there publishes meanwhile is not lost:
        after the rejoin its next frame shows a gap (a resync from the snapshot), and a turn missed whole ends
        with turn_finished (the user's group), which sends the saved transcript."""
        async with self._groups_lock:
            want = None if self._closed or self.watching == self._own_group else self.watching
            if want == self._joined:
                return
            if self._joined:
                await self.channel_layer.group_discard(self._joined, self.channel_name)
            if want:
                await self.channel_layer.group_add(want, self.channel_name)
            self._joined = want

    async def _own_stream_ended(self, stream: TurnStream) -> None:
        """This socket's turn streamed its last frame: back in the group of the conversation shown."""
        if stream is self._stream:  # not a newer turn's stream, which keeps the socket out
            self._own_group = None
            await self._sync_group()

    async def _join_live(self, conversation_id: int, *, resync: bool = False) -> bool:
        """Send the conversation with its live turn as far as it has got; False when no turn is live there.
        Called after joining the group, so the frames after the snapshot are already on their way."""
        try:
            live = await database_sync_to_async(fragments.live_transcript_html)(self.user, conversation_id)
        except DomainError:  # not this user's conversation (or deleted meanwhile)
            return False
        if live is None:
            return False
        html, snapshot = live
        self._page_busy = True  # even if following: a "view" sent before the swap landed says no
        if resync or not self.follower.following(snapshot.turn_id):
            self.follower.synced(snapshot.turn_id, snapshot.seq, conversation_id)
            await self.send(text_data=html)
        return True

    async def _start(self, frame: dict) -> None:
        if self._stream is not None and not self._stream.done:
            await self._notice(
                "Please wait for the current reply to finish, or press Stop.", reset_composer=False
            )
            return
        text = frame.get("message")
        raw_id = frame.get("conversation_id")
        conversation_id = None if raw_id in ("", None) else raw_id  # "" from the form: a new chat
        # Regenerate (a button: the question's id) or Edit (the composer's hidden edit_of) the last question.
        regenerate = frame.get("action") == "regenerate"
        retry_of = frame.get("message_id") if regenerate else (frame.get("edit_of") or None)
        try:
            turn = await start_turn(
                user=self.user,
                text=None if regenerate else text,
                conversation_id=conversation_id,
                retry_of=retry_of,
                check=functools.partial(require_session, self.session_key, self.user.pk),  # in the same hop
            )
        except SessionEnded:  # nothing was saved
            await self._session_ended(draft=text if isinstance(text, str) else "")
            return
        except DomainError as exc:  # nothing was saved: give the text back to edit or resend
            await self._notice(exc.message, draft=text if isinstance(text, str) else "")
            return
        except Exception:
            logger.exception("Could not start a chat turn")
            await self._notice(
                "Something went wrong on our side. Please try again.",
                draft=text if isinstance(text, str) else "",
            )
            return
        self._turn, self.viewing = turn, turn.conversation_id
        self.follower.streams(turn.id)
        self._stream = TurnStream(
            turn, send=lambda html: self.send(text_data=html), on_end=self._own_stream_ended
        )
        self._own_group = self._stream.group
        try:  # out of the group before the stream publishes: the layer would bring its frames back here
            await self._watch(turn.conversation_id)
        finally:
            self._stream.start()

    async def _notice(self, message: str, *, draft: str = "", reset_composer: bool = True) -> None:
        await self.send(text_data=fragments.notice_html(message, draft=draft, reset_composer=reset_composer))

    def _send_transcript(self, conversation_id: int, *, unless_running: bool = False) -> None:
        """The saved transcript of the page's conversation, in the background (one at a time per socket)."""
        if self._transcript_task and not self._transcript_task.done():
            self._transcript_task.cancel()
        self._transcript_task = asyncio.create_task(self._transcript(conversation_id, unless_running))

    async def _transcript(self, conversation_id: int, unless_running: bool) -> None:
        def render() -> str | None:
            if unless_running and turn_running(conversation_id):
                return None  # its reply comes with turn_finished
            return fragments.transcript_html(self.user, conversation_id, reset_composer=self._page_busy)

        try:
            html = await database_sync_to_async(render)()
        except DomainError:  # not this user's conversation (or deleted meanwhile): nothing to show
            return
        if html is not None and self.viewing == conversation_id:
            self._page_busy = False
            await self.send(text_data=html)

    async def _session_ended(self, draft: str = "") -> None:
        await self._notice("You have been signed out. Reload the page to sign in again.", draft=draft)
        await self.close(code=CLOSE_UNAUTHENTICATED)

    # --- news for this user's tabs (core.broadcast) ------------------------------------------------------------
    async def session_ended(self, message: dict) -> None:
        """One of this user's login sessions logged out (core.broadcast.session_ended): this socket's, or another."""
        if self.session_key and message.get("session") == session_digest(self.session_key):
            await self._session_ended()

    async def turn_finished(self, message: dict) -> None:
        """A reply of this user was saved. A page showing that conversation that did not see the turn live (a
        turn from the API, or one whose stream this socket never joined) gets the saved transcript."""
        turn_id = message.get("turn_id", "")
        if message["conversation_id"] == self.viewing and not self.follower.showed_end(turn_id):
            self._send_transcript(message["conversation_id"])

    async def turn_frame(self, message: dict) -> None:
        """A live turn's coalesced frame (chat.web.streams): shown in order; joined or gapped: resync."""
        conversation_id = message["conversation_id"]
        if conversation_id != self.viewing:  # a frame that raced leaving its group
            return
        decision = self.follower.accept(message)
        if decision == SHOW:
            self._page_busy = self._page_busy and not message["terminal"]
            await self.send(text_data=message["html"])
        elif decision == RESYNC and not await self._join_live(conversation_id, resync=True):
            self.follower.over(message["turn_id"])  # already saved: the transcript is the truth
            self._send_transcript(conversation_id)

    async def conversations_changed(self, message: dict) -> None:
        """A conversation started, continued, renamed or deleted: a new sidebar, sent in the background."""
        self._sidebar.changed()

    async def tasks_changed(self, message: dict) -> None:
        deleted = message.get("task_id") if message.get("action") == "deleted" else None
        html = await database_sync_to_async(self._task_panel)(deleted)
        await self.send(text_data=html)

    def _task_panel(self, deleted_task_id: int | None) -> str:
        # The panel's sections are computed in the user's zone, which may have changed since this socket opened.
        self.user.refresh_from_db(fields=["timezone"])
        return task_panel_html(self.user, oob=True, deleted_task_id=deleted_task_id)


def _encodable(frame: dict) -> bool:
    try:
        json.dumps(frame, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _query_id(scope: dict, name: str) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(name) or [None]
    return parse_id(values[0])
