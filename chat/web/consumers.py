"""The chat websocket (/ws/chat/?c=<conversation id>): the browser's side of a chat turn and the live panels.

    connect     authenticated users only (4401 otherwise); joins the user's group; remembers which conversation
                the page shows (`?c=`; a new chat gets one when its first turn starts)
    receive     a JSON frame from the HTMX form: {"message", "conversation_id"} starts a turn through
                chat.turn.engine.start_turn (with "edit_of": the last question, edited); {"action": "regenerate",
                "message_id", "conversation_id"} answers the last question again; {"action": "stop"} stops it; {"action": "view", "conversation_id"}
                (sent after a reconnect) says which conversation the page shows, and gets its saved transcript
                unless a turn is still running there (then it comes with turn_finished)
    tasks_changed / conversations_changed   something changed anywhere (tool, panel, API, admin, MCP): re-render
    turn_finished   a reply was saved: a page showing that conversation gets the transcript, unless this socket
                streamed that very turn
    session_ended   the login session this socket was opened with logged out: close (4401). Each turn start also
                checks that the session still exists and is still this user's (a missed message, an expired or
                deleted session, a changed password), so a socket outliving its session cannot act

The consumer knows nothing about tools or the model. A turn outlives its socket: `disconnect` stops relaying
but never stops the turn, which finishes and is saved by the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from chat.turn.engine import Turn, start_turn
from chat.turn.limits import turn_running
from chat.web import fragments
from chat.web.relay import TurnRelay
from core.broadcast import session_group, user_group
from core.errors import DomainError
from core.ids import parse_id
from core.sessions import session_user_id
from tasks.panel import task_panel_html

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        self.user = user
        self.group = None
        self.session_key: str | None = None
        self.viewing: int | None = _query_id(self.scope, "c")
        self._turn: Turn | None = None
        self._relay_task: asyncio.Task | None = None
        self._transcript_task: asyncio.Task | None = None
        self._streamed: set[int] = set()  # user-message ids of the turns this socket relayed
        # Accept, then close with an application code: a refused handshake would look like a network error
        # (1006) to the browser, and the HTMX ws extension would keep reconnecting.
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.session_key = getattr(self.scope.get("session"), "session_key", None)
        if self.session_key:
            await self.channel_layer.group_add(session_group(self.session_key), self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            if self.session_key:
                await self.channel_layer.group_discard(session_group(self.session_key), self.channel_name)
        # Stop relaying to a closed socket, but leave the turn running: the engine saves it.
        for task in (self._relay_task, self._transcript_task):
            if task and not task.done():
                task.cancel()

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
            await self._notice(
                f"That message is too large to send (over {settings.CHAT_WS_MAX_FRAME_BYTES // 1024} KB)."
            )
            return
        try:
            frame = json.loads(text_data) if text_data is not None else None
        except json.JSONDecodeError:
            frame = None
        if not isinstance(frame, dict):
            await self._notice("That message could not be read. Please reload the page.")
            return
        if not _encodable(frame):  # e.g. a lone surrogate escaped in the JSON ("\ud800")
            await self._notice("That message contains characters that cannot be sent. Please retype it.")
            return
        action = frame.get("action")
        if action == "stop":
            if self._turn is not None:
                self._turn.stop()
        elif action == "view":
            self._view(parse_id(frame.get("conversation_id")))
        else:
            await self._start(frame)

    def _view(self, conversation_id: int | None) -> None:
        self.viewing = conversation_id
        if conversation_id is not None:
            self._send_transcript(conversation_id, unless_running=True)

    async def _start(self, frame: dict) -> None:
        if self._relay_task and not self._relay_task.done():
            await self._notice(
                "Please wait for the current reply to finish, or press Stop.", reset_composer=False
            )
            return
        text = frame.get("message")
        if await database_sync_to_async(session_user_id)(self.session_key) != self.user.pk:
            await self._session_ended(draft=text if isinstance(text, str) else "")
            return
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
            )
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
        self._streamed.add(turn.user_message.pk)
        self._relay_task = asyncio.create_task(self._relay(turn), name=f"chat-relay-{turn.conversation_id}")

    async def _relay(self, turn: Turn) -> None:
        relay = TurnRelay(turn, lambda frame: self.send(text_data=frame))
        try:
            await relay.run()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Relaying a chat turn failed (conversation %s)", turn.conversation_id)
            if not relay.ended:  # whatever happened, the composer must come back
                with contextlib.suppress(Exception):
                    await self._notice("The reply could not be shown. Reload the page to see it.")

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
            return fragments.transcript_html(self.user, conversation_id)

        try:
            html = await database_sync_to_async(render)()
        except DomainError:  # not this user's conversation (or deleted meanwhile): nothing to show
            return
        if html is not None and self.viewing == conversation_id:
            await self.send(text_data=html)

    async def _session_ended(self, draft: str = "") -> None:
        await self._notice("You have been signed out. Reload the page to sign in again.", draft=draft)
        await self.close(code=CLOSE_UNAUTHENTICATED)

    # --- news for this user's tabs (core.broadcast) ------------------------------------------------------------
    async def session_ended(self, message: dict) -> None:
        """This socket's login session logged out (core.broadcast.session_ended)."""
        await self._session_ended()

    async def turn_finished(self, message: dict) -> None:
        """A reply of this user was saved. A page showing that conversation that did not stream the turn itself
        (another tab, or this one before a reconnect) gets the saved transcript."""
        if message["conversation_id"] == self.viewing and message["user_message_id"] not in self._streamed:
            self._send_transcript(message["conversation_id"])

    async def conversations_changed(self, message: dict) -> None:
        """A conversation was started, continued, renamed or deleted in some tab (or the API): new sidebar."""
        html = await database_sync_to_async(fragments.conversation_list_html)(self.user)
        await self.send(text_data=html)

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
