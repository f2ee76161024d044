"""The chat websocket (/ws/chat/): the browser's side of a chat turn and the live task panel.

    connect     authenticated users only (4401 otherwise); joins the user's tasks group
    receive     a JSON frame from the HTMX form: {"message", "conversation_id", "HEADERS"} starts a turn through
                chat.turn.engine.start_turn; {"action": "stop"} stops it; {"action": "resume", "conversation_id"}
                (sent after a reconnect) answers with the saved transcript once that conversation's turn ended
    relay       engine events → HTML fragments (chat.web.live) swapped out of band; text is coalesced so a frame
                goes out at most every FLUSH_SECONDS, not per token
    tasks_changed   a task of this user changed anywhere (tool, panel, API, admin): re-render the panel
    conversations_changed   likewise for the conversations sidebar
    turn_finished   a reply was saved: tabs showing that conversation (but not streaming it) ask for it

The consumer knows nothing about tools or the model. A turn outlives its socket: `disconnect` stops relaying
but never stops the turn, which finishes and is saved by the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from chat.turn.engine import Turn, start_turn
from chat.turn.events import (
    ReasoningDelta,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    TurnDone,
    TurnFailed,
    TurnStarted,
)
from chat.turn.limits import turn_running
from chat.web import fragments
from chat.web.live import LiveTurn
from core.broadcast import user_group
from core.errors import DomainError
from core.ids import parse_id
from tasks.panel import task_panel_html

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 0.04
RESUME_POLL_SECONDS = 0.25
CLOSE_UNAUTHENTICATED = 4401


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        self.user = user
        self.group = None
        self._turn: Turn | None = None
        self._relay_task: asyncio.Task | None = None
        self._resume_task: asyncio.Task | None = None
        # Accept, then close with an application code: a refused handshake would look like a network error
        # (1006) to the browser, and the HTMX ws extension would keep reconnecting.
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
        # Stop relaying to a closed socket, but leave the turn running: the engine saves it.
        for task in (self._relay_task, self._resume_task):
            if task and not task.done():
                task.cancel()

    # --- frames from the browser -----------------------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.group:  # closed as unauthenticated; ignore anything that raced the close
            return
        size = len(text_data.encode()) if text_data is not None else len(bytes_data or b"")
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
        if frame.get("action") == "stop":
            if self._turn is not None:
                self._turn.stop()
            return
        if frame.get("action") == "resume":
            # In the background: this consumer handles one message at a time, and the wait may be long.
            self._resume_task = asyncio.create_task(self._resume(frame))
            return
        await self._start(frame)

    async def _resume(self, frame: dict) -> None:
        """After a reconnect: once the conversation's turn (which went on without this socket) has ended, send
        the saved transcript. The turn may run in another worker; the shared turn lock says when it is done."""
        conversation_id = parse_id(frame.get("conversation_id"))
        if conversation_id is None:
            return
        loop = asyncio.get_running_loop()
        give_up = loop.time() + settings.AGENT_TIMEOUT + 10
        while await database_sync_to_async(turn_running)(conversation_id) and loop.time() < give_up:
            await asyncio.sleep(RESUME_POLL_SECONDS)
        try:
            html = await database_sync_to_async(fragments.transcript_html)(self.user, conversation_id)
        except DomainError:  # not this user's conversation (or deleted meanwhile): nothing to show
            return
        await self.send(text_data=html)

    async def _start(self, frame: dict) -> None:
        if self._relay_task and not self._relay_task.done():
            await self._notice(
                "Please wait for the current reply to finish, or press Stop.", reset_composer=False
            )
            return
        text = frame.get("message")
        raw_id = frame.get("conversation_id")
        conversation_id = None if raw_id in ("", None) else raw_id  # "" from the form: a new chat
        try:
            turn = await start_turn(user=self.user, text=text, conversation_id=conversation_id)
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
        self._turn = turn
        live = LiveTurn(user_message=turn.user_message)
        self._relay_task = asyncio.create_task(
            self._relay(turn, live), name=f"chat-relay-{turn.conversation_id}"
        )

    async def _notice(self, message: str, *, draft: str = "", reset_composer: bool = True) -> None:
        await self.send(text_data=fragments.notice_html(message, draft=draft, reset_composer=reset_composer))

    # --- one turn, engine events → fragments --------------------------------------------------------------------
    async def _relay(self, turn: Turn, live: LiveTurn) -> None:
        loop = asyncio.get_running_loop()
        events = turn.events()
        text, reasoning = [], []
        last_flush = loop.time()
        next_event: asyncio.Future | None = None
        ended = False

        async def flush() -> None:
            nonlocal last_flush
            if text or reasoning:
                await self.send(text_data=live.deltas(text="".join(text), reasoning="".join(reasoning)))
                text.clear()
                reasoning.clear()
            last_flush = loop.time()

        try:
            while True:
                if next_event is None:
                    next_event = asyncio.ensure_future(anext(events))
                pending = text or reasoning
                timeout = max(0.0, last_flush + FLUSH_SECONDS - loop.time()) if pending else None
                done, _ = await asyncio.wait({next_event}, timeout=timeout)
                if not done:
                    await flush()
                    continue
                event, next_event = next_event.result(), None
                if isinstance(event, TextDelta | ReasoningDelta):
                    (text if isinstance(event, TextDelta) else reasoning).append(event.text)
                    if loop.time() - last_flush >= FLUSH_SECONDS:
                        await flush()
                    continue
                await flush()
                if isinstance(event, TurnStarted):
                    await self.send(text_data=live.started(event))
                elif isinstance(event, ToolCallStarted):
                    await self.send(text_data=live.tool_started(event))
                elif isinstance(event, ToolCallFinished):
                    await self.send(text_data=live.tool_finished(event))
                elif isinstance(event, TurnDone):
                    ended = True
                    await self.send(text_data=live.done(event))
                elif isinstance(event, TurnFailed):
                    ended = True
                    await self.send(text_data=live.failed(event))
                if event.terminal:
                    return
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Relaying a chat turn failed (conversation %s)", turn.conversation_id)
            if not ended:  # whatever happened, the composer must come back
                with contextlib.suppress(Exception):
                    await self._notice("The reply could not be shown. Reload the page to see it.")
        finally:
            if next_event is not None and not next_event.done():
                next_event.cancel()

    # --- news for this user's tabs (core.broadcast) ------------------------------------------------------------
    async def turn_finished(self, message: dict) -> None:
        """A turn of this user ended and is saved; the page fetches it if it shows that conversation and did
        not stream the turn itself (chat.js sends a resume frame)."""
        await self.send(
            text_data=fragments.turn_finished_html(message["conversation_id"], message["user_message_id"])
        )

    async def conversations_changed(self, message: dict) -> None:
        """A conversation was started, continued, renamed or deleted in some tab (or the API): new sidebar."""
        html = await database_sync_to_async(fragments.conversation_list_html)(self.user)
        await self.send(text_data=html)

    async def tasks_changed(self, message: dict) -> None:
        deleted = message.get("task_id") if message.get("action") == "deleted" else None
        html = await database_sync_to_async(task_panel_html)(self.user, oob=True, deleted_task_id=deleted)
        await self.send(text_data=html)
