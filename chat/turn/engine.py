"""One chat turn, shared by the websocket consumer and the REST API.

    turn = await start_turn(user=..., text=..., conversation_id=...)   # chat.turn.start: saves the user's message
    async for event in turn.events(): ...                              # chat.turn.events, ending in done/failed
    turn.stop()                                                        # Stop: cancel, close upstream, keep partial

The turn runs in its own task, so it finishes and is saved even when its listener goes away (a dropped
websocket). It touches the database a few times per turn, never per token: on the process's database thread, its
later hops on PostgreSQL on a small pool of threads (chat.turn.hop_context).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser

from chat.models import Message
from chat.turn import llm, prompting, recording
from chat.turn.calls import ToolCall
from chat.turn.event_log import EventLog, EventReader
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
from chat.turn.hop_context import later_hop
from chat.turn.prompting import Turns
from chat.turn.protocols import ToolProtocol, ToolResult
from chat.turn.result import TurnResult, fold
from chat.turn.tool_runner import ToolRunner, display_params
from chat.turn.tools import result_json

logger = logging.getLogger(__name__)

_OUR_FAULT = "Something went wrong on our side. Please try again."
_LENGTH_LIMIT = "The reply hit the length limit."
_NO_MORE_STEPS = (
    "I stopped there: that needed more steps than I can take in one reply. Please ask for the rest."
)


@dataclass
class _Round:
    """What the current model call has produced so far (kept for a partial save if it is cut short)."""

    visible: str = ""
    reasoning: str = ""


class Turn:
    def __init__(
        self, *, user: AbstractBaseUser, user_message: Message, history: Turns, protocol: ToolProtocol
    ):
        self.user = user
        self.id = uuid.uuid4().hex  # this run (a regenerated question is answered by a new turn, a new id)
        self.user_message = user_message
        self.conversation = user_message.conversation
        self.conversation_id: int = user_message.conversation_id
        self.history = history  # the turns the prompt keeps, rendered (chat.turn.prompting.history_window)
        self.protocol = protocol
        self._log = EventLog()  # every listener reads the whole turn (the API's answer and the pages' stream)
        self._task: asyncio.Task | None = None
        self._round = _Round()
        self._usage: dict = dict.fromkeys(recording.USAGE_FIELDS, 0)
        self._recorder = recording.TurnRecorder(conversation=self.conversation)
        self._tools = ToolRunner(user=user, recorder=self._recorder)
        self._end = recording.TurnEnd(user.pk, user_message, self.id)  # the lock's release, usage, the news
        # One cancel at most, and none once the outcome is being saved: a second cancel would cut the save
        # (or the lock release) short and the listener would never get its last event.
        self._stoppable = True
        self._tools_hop: asyncio.Future | None = None  # a round's tool calls, while they run
        self._retried_tool_use = False
        self.retry = self.opens_conversation = False  # an edited/regenerated question; a new conversation
        self._thinking: list[float] = []  # when reasoning started, then when the first text came

    # --- the caller's side ---------------------------------------------------------------------------------
    def start(self) -> None:
        # A fresh context: the turn must not inherit the starting request's thread-sensitive executor, which
        # asgiref shuts down when that request ends (the turn outlives SSE requests and dropped websockets).
        self._task = asyncio.create_task(
            self._run(), name=f"chat-turn-{self.conversation_id}", context=contextvars.Context()
        )
        self._task.add_done_callback(self._ended)

    def stop(self) -> None:
        """Stop generating: the upstream stream is closed and the partial reply saved as `stopped`.

        Pressing Stop again, or while the turn is already saving its answer or error, changes nothing."""
        if self._stoppable and self._task and not self._task.done():
            self._stoppable = False
            self._task.cancel()

    @property
    def running(self) -> bool:
        return bool(self._task and not self._task.done())

    def events(self) -> AsyncIterator[TurnEvent]:
        """The turn's events from its first, ending with its one terminal event (any number of listeners)."""
        return aiter(self._log.reader())

    def listen(self) -> EventReader:
        """A listener of its own that reads in batches (chat.turn.event_log.EventReader.batch)."""
        return self._log.reader()

    async def result(self) -> TurnResult:
        """Run to the end and collect the outcome (the non-streaming API)."""
        return await fold(self.conversation_id, self.events())

    # --- the turn ------------------------------------------------------------------------------------------
    def _emit(self, event: TurnEvent) -> None:
        self._log.append(event)  # exactly one terminal event, and nothing after it

    def _ended(self, task: asyncio.Task) -> None:
        """The safety net: a task cancelled before its body ran (a server shutting down) still ends its listener."""
        self._emit(self._unsaved_failure("internal_error", _OUR_FAULT, 500))

    async def _run(self) -> None:
        """The turn, then exactly one terminal event — whatever failed, even the saving of the failure."""
        self._emit(
            TurnStarted(
                self.conversation_id, self.conversation.title, self.user_message.pk, llm.is_offline_demo()
            )
        )
        final: TurnEvent | None = None
        try:
            messages = prompting.prompt_messages(self.history, self.protocol, tz=self.user.timezone)
            async with asyncio.timeout_at(asyncio.get_running_loop().time() + settings.AGENT_TIMEOUT):
                final = await self._loop(messages)
        except asyncio.CancelledError:
            final = await self._end_interrupted(Message.Status.STOPPED, "stopped", "")
            raise
        except Exception as exc:  # every failure ends as a saved, visible state; never a crash for the user
            self._stoppable = False
            error = llm.translate_error(exc)
            if not isinstance(exc, llm.UpstreamError | TimeoutError):
                logger.exception("Chat turn failed unexpectedly (conversation %s)", self.conversation_id)
                error = llm.UpstreamError(
                    "internal_error", "Something went wrong on our side. Please try again.", 500
                )
            status = Message.Status.PARTIAL if self._round.visible.strip() else Message.Status.ERROR
            final = await self._end_interrupted(
                status, error.code, error.message, http_status=error.http_status
            )
        finally:
            # Free the conversation before announcing the end, so the caller may send the next message at once.
            try:
                if not self._end.done:  # else the answer's hop did it
                    await later_hop(self._end)(self._usage)
            except Exception:  # the hop itself failed (TurnEnd logs its own errors); the lock is a lease
                logger.exception("Could not end the turn (conversation %s)", self.conversation_id)
            finally:  # even when cancelled here (a server shutting down): the listener must not wait forever
                self._emit(final or self._unsaved_failure("internal_error", _OUR_FAULT, 500))

    async def _end_interrupted(
        self, status: str, code: str, told: str, *, http_status: int = 200
    ) -> TurnEvent:
        """A stopped, cut or failed turn: report the tools that were running, save what had arrived. If even that
        fails, the listener still gets its terminal event (and the log says which conversation)."""
        try:
            await self._drain_tools()
            message = await later_hop(self._recorder.interrupted)(
                content=self._round.visible.strip(),
                reasoning=self._round.reasoning,
                status=status,
                code=code,
                user_message=told,
            )
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                raise
            logger.exception("Could not save the end of a turn (conversation %s)", self.conversation_id)
            return self._unsaved_failure(code, told or _OUR_FAULT, http_status)
        if status == Message.Status.STOPPED:
            return TurnDone(message.pk, message.content, str(message.status), self._usage)
        return TurnFailed(code, told, http_status, message.pk, message.content)

    def _unsaved_failure(self, code: str, told: str, http_status: int) -> TurnFailed:
        return TurnFailed(
            code, told, http_status if http_status >= 400 else 500, None, self._round.visible.strip()
        )

    async def _drain_tools(self) -> None:
        """Stop or the deadline came while tools ran: they still finish (shielded); report their results so
        the listener's tool cards don't stay pending. A hop that failed has recorded error results itself."""
        hop, self._tools_hop = self._tools_hop, None
        if hop is None:
            return
        try:
            finished = await hop
        except Exception:
            logger.warning("A tool round failed (conversation %s)", self.conversation_id, exc_info=True)
            return
        for event in finished:
            self._emit(event)

    async def _loop(self, messages: list[dict]) -> TurnDone:
        max_rounds = settings.AGENT_MAX_TOOL_ROUNDS
        for round_no in range(max_rounds + 1):
            allow_tools = round_no < max_rounds  # the last call must answer in words
            completion = await self._stream(messages, allow_tools)
            if completion.finish_reason is None:  # the stream ended without saying why: cut off, not finished
                raise llm.UpstreamError(
                    "upstream_cut", "The assistant's answer was cut off. Please try again."
                )
            read = self.protocol.read(
                content=completion.content, visible=self._round.visible, native_calls=completion.tool_calls
            )
            if completion.finish_reason == "length":  # kept, but marked: the reply hit GROQ_MAX_TOKENS
                return await self._answer(
                    completion, read.text, status=Message.Status.PARTIAL, code="max_tokens"
                )
            if not allow_tools or (not read.calls and not read.errors):
                return await self._answer(
                    completion, read.text or (_NO_MORE_STEPS if not allow_tools else "")
                )
            for call in read.calls:
                self._emit(ToolCallStarted(call.id, call.name, display_params(call)))
            # Shielded: Stop (or the deadline) must not cut this hop off. The tools finish and are saved, and the
            # stopped reply is saved after them; cancelling a hop whose thread is inside async_to_sync (a task
            # change announced on commit) would leak asgiref's executor context into this task, and every
            # later database call of the turn would fail, leaving the listener without a last event.
            self._tools_hop = asyncio.ensure_future(
                later_hop(self._tools.run_round)(
                    content=self._round.visible.strip(),
                    reasoning=completion.reasoning,
                    usage=completion.usage,
                    calls=read.calls,
                    errors=read.errors,
                )
            )
            finished = await asyncio.shield(self._tools_hop)
            self._tools_hop = None
            for event in finished:
                self._emit(event)
            messages.extend(self._wire_round(completion, read.calls, finished))
            self._round = _Round()
        raise AssertionError("the last round allows no tools, so it always answers")

    async def _answer(
        self, completion: llm.Completion, text: str, *, status: str = "", code: str = ""
    ) -> TurnDone:
        self._stoppable = False
        notice = _LENGTH_LIMIT if code == "max_tokens" else ""
        thinking = self._thinking + [asyncio.get_running_loop().time()]
        thought_ms = int((thinking[1] - thinking[0]) * 1000) if self._thinking else None
        message = await later_hop(self._recorder.answer)(
            content=text,
            reasoning=completion.reasoning,
            usage=completion.usage,
            status=status or Message.Status.COMPLETE,
            code=code,
            notice=notice,
            thought_ms=thought_ms,
            then=functools.partial(self._end, self._usage),
        )
        status = str(message.status)
        return TurnDone(
            message.pk, message.content, status, self._usage, notice=notice, thought_ms=thought_ms
        )

    async def _stream(self, messages: list[dict], allow_tools: bool) -> llm.Completion:
        params = llm.request_params(messages, tools=self.protocol.request_tools(), allow_tools=allow_tools)
        try:
            stream = await llm.ModelStream(params).open()
        except llm.UpstreamError as exc:
            # A malformed tool call (400 tool_use_failed) is a slip of the model, not a state: ask once more.
            if exc.code != "tool_use_failed" or self._retried_tool_use:
                raise
            self._retried_tool_use = True
            logger.info(
                "tool_use_failed from the model; retrying once (conversation %s)", self.conversation_id
            )
            stream = await llm.ModelStream(params).open()
        shown = self.protocol.text_filter()
        try:
            async for delta in stream:
                if delta.reasoning:
                    self._thinking = self._thinking or [asyncio.get_running_loop().time()]
                    self._round.reasoning += delta.reasoning
                    self._emit(ReasoningDelta(delta.reasoning))
                self._show(shown.feed(delta.content))
            self._show(shown.flush())
        finally:
            await stream.close()
        completion = stream.completion
        self._add_usage(completion.usage)
        return completion

    def _show(self, text: str) -> None:
        if text:
            if len(self._thinking) == 1:  # thought from the first reasoning to the first visible text
                self._thinking.append(asyncio.get_running_loop().time())
            self._round.visible += text
            self._emit(TextDelta(text))

    def _add_usage(self, usage: dict) -> None:
        for key in recording.USAGE_FIELDS:
            self._usage[key] += usage.get(key) or 0

    def _wire_round(
        self, completion: llm.Completion, calls: list[ToolCall], finished: list[ToolCallFinished]
    ) -> list[dict]:
        """This round as the model must see it next: its call(s), then the results (as history renders it)."""
        results = [ToolResult(e.call_id if e.name else "", e.name, result_json(e.result)) for e in finished]
        return [
            self.protocol.calls_message(self._round.visible.strip(), calls, raw=completion.content),
            *self.protocol.results_messages(results),
        ]
