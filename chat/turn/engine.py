"""One chat turn, shared by the websocket consumer and the REST API.

    turn = await start_turn(user=..., text=..., conversation_id=...)   # validates, saves the user's message
    async for event in turn.events(): ...                              # chat.turn.events, ending in done/failed
    turn.stop()                                                        # Stop: cancel, close upstream, keep partial

The turn runs in its own task, so it finishes and is saved even when its listener goes away (a dropped
websocket). It touches the database a few times per turn — never per token — through database_sync_to_async.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser

from chat.models import Message
from chat.turn import llm, prompting, recording
from chat.turn.calls import ToolCall
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
from chat.turn.limits import check_chat_rate, validate_message_text
from chat.turn.protocols import ToolProtocol, ToolResult, protocol_for
from chat.turn.tools import parse_arguments, result_json, run_tool

logger = logging.getLogger(__name__)


@dataclass
class _Round:
    """What the current model call has produced so far (kept for a partial save if it is cut short)."""

    visible: str = ""
    reasoning: str = ""


@dataclass
class TurnResult:
    conversation_id: int
    response: str
    status: str
    tool_calls: list[dict] = field(default_factory=list)
    usage: dict = field(default_factory=dict)
    error: TurnFailed | None = None
    offline_demo: bool = False


async def start_turn(
    *, user: AbstractBaseUser, text: str, conversation_id: int | None = None, mode: str | None = None
) -> Turn:
    """Validate, rate-limit and save the user's message; then start the model in the background."""
    text = validate_message_text(text)
    await database_sync_to_async(check_chat_rate)(user)
    user_message, history = await database_sync_to_async(recording.save_user_message)(
        user, conversation_id, text
    )
    protocol = protocol_for(mode or settings.GROQ_TOOL_MODE)
    turn = Turn(user=user, user_message=user_message, history=history, protocol=protocol)
    turn.start()
    return turn


class Turn:
    def __init__(
        self, *, user: AbstractBaseUser, user_message: Message, history: list[Message], protocol: ToolProtocol
    ):
        self.user = user
        self.user_message = user_message
        self.conversation = user_message.conversation
        self.conversation_id: int = user_message.conversation_id
        self.history = history
        self.protocol = protocol
        self._queue: asyncio.Queue[TurnEvent] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        self._round = _Round()
        self._usage: dict = {"prompt_tokens": 0, "completion_tokens": 0, "reasoning_tokens": 0}
        self._recorder = recording.TurnRecorder(conversation=self.conversation)
        # One cancel at most, and none once the outcome is being saved: a second cancel would cut the save
        # (or the lock release) short and the listener would never get its last event.
        self._stoppable = True
        self._tools_hop: asyncio.Future | None = None  # a round's tool calls, while they run
        self._retried_tool_use = False

    # --- the caller's side ---------------------------------------------------------------------------------
    def start(self) -> None:
        # A fresh context: the turn must not inherit the starting request's thread-sensitive executor, which
        # asgiref shuts down when that request ends (the turn outlives SSE requests and dropped websockets).
        self._task = asyncio.create_task(
            self._run(), name=f"chat-turn-{self.conversation_id}", context=contextvars.Context()
        )

    def stop(self) -> None:
        """Stop generating: the upstream stream is closed and the partial reply saved as `stopped`.

        Pressing Stop again, or while the turn is already saving its answer or error, changes nothing."""
        if self._stoppable and self._task and not self._task.done():
            self._stoppable = False
            self._task.cancel()

    @property
    def running(self) -> bool:
        return bool(self._task and not self._task.done())

    async def events(self) -> AsyncIterator[TurnEvent]:
        while True:
            event = await self._queue.get()
            yield event
            if event.terminal:
                return

    async def result(self) -> TurnResult:
        """Run to the end and collect the outcome (the non-streaming API)."""
        calls: list[dict] = []
        offline = False
        async for event in self.events():
            if isinstance(event, TurnStarted):
                offline = event.offline_demo
            elif isinstance(event, ToolCallFinished):
                calls.append({"tool": event.name, "params": event.params, "result": event.result})
            elif isinstance(event, TurnDone):
                return TurnResult(
                    self.conversation_id,
                    event.content,
                    event.status,
                    calls,
                    event.usage,
                    offline_demo=offline,
                )
            elif isinstance(event, TurnFailed):
                return TurnResult(
                    self.conversation_id,
                    event.partial_content,
                    "error",
                    calls,
                    error=event,
                    offline_demo=offline,
                )
        raise AssertionError("a turn always ends with done or failed")

    # --- the turn ------------------------------------------------------------------------------------------
    def _emit(self, event: TurnEvent) -> None:
        self._queue.put_nowait(event)

    async def _run(self) -> None:
        self._emit(
            TurnStarted(
                self.conversation_id, self.conversation.title, self.user_message.pk, llm.is_offline_demo()
            )
        )
        messages = prompting.build_messages(
            self.history, self.protocol, settings.GROQ_HISTORY_TOKEN_BUDGET, tz=self.user.timezone
        )
        deadline = asyncio.get_running_loop().time() + settings.AGENT_TIMEOUT
        final: TurnEvent | None = None
        try:
            async with asyncio.timeout_at(deadline):
                final = await self._loop(messages)
        except asyncio.CancelledError:
            await self._report_interrupted_tools()
            message = await self._save_interrupted(Message.Status.STOPPED, "stopped", "")
            final = TurnDone(message.pk, message.content, str(message.status), self._usage)
            raise
        except Exception as exc:  # every failure ends as a saved, visible state; never a crash for the user
            self._stoppable = False
            await self._report_interrupted_tools()
            error = llm.translate_error(exc)
            if not isinstance(exc, llm.UpstreamError | TimeoutError):
                logger.exception("Chat turn failed unexpectedly (conversation %s)", self.conversation_id)
                error = llm.UpstreamError(
                    "internal_error", "Something went wrong on our side. Please try again.", 500
                )
            status = Message.Status.PARTIAL if self._round.visible else Message.Status.ERROR
            message = await self._save_interrupted(status, error.code, error.message)
            final = TurnFailed(error.code, error.message, error.http_status, message.pk, message.content)
        finally:
            # Free the conversation before announcing the end, so the caller may send the next message at once.
            await database_sync_to_async(recording.end_turn)(
                user_id=self.user.pk,
                conversation_id=self.conversation_id,
                user_message_id=self.user_message.pk,
            )
            if final is not None:
                self._emit(final)

    async def _report_interrupted_tools(self) -> None:
        """Stop or the deadline came while tools ran: they still finish (shielded); report their results so
        the listener's tool cards don't stay pending."""
        hop, self._tools_hop = self._tools_hop, None
        if hop is not None:
            for event in await hop:
                self._emit(event)

    async def _loop(self, messages: list[dict]) -> TurnDone:
        max_rounds = settings.AGENT_MAX_TOOL_ROUNDS
        for round_no in range(max_rounds + 1):
            allow_tools = round_no < max_rounds  # the last call must answer in words
            completion = await self._stream(messages, allow_tools)
            read = self.protocol.read(
                content=completion.content, visible=self._round.visible, native_calls=completion.tool_calls
            )
            if not allow_tools or (not read.calls and not read.errors):
                self._stoppable = False
                message = await database_sync_to_async(self._recorder.answer)(
                    content=read.text, reasoning=completion.reasoning, usage=completion.usage
                )
                return TurnDone(message.pk, message.content, str(message.status), self._usage)
            for call in read.calls:
                self._emit(ToolCallStarted(call.id, call.name, _display_params(call)))
            # Shielded: Stop (or the deadline) must not cut this hop off. The tools finish and are saved, and the
            # stopped reply is saved after them; cancelling a hop whose thread is inside async_to_sync (a task
            # change announced on commit) would leak asgiref's executor context into this task, and every
            # later database call of the turn would fail, leaving the listener without a last event.
            self._tools_hop = asyncio.ensure_future(
                database_sync_to_async(self._tool_round)(
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

    def _tool_round(
        self, *, content: str, reasoning: str, usage: dict, calls: list[ToolCall], errors: list[str]
    ) -> list[ToolCallFinished]:
        """One database hop: record the model's calls, run them as the user (tasks service layer), record the
        results (a malformed tool block is reported back as a result that answers no call)."""
        self._recorder.tool_calls(content=content, reasoning=reasoning, usage=usage, calls=calls)
        finished = [ToolCallFinished(c.id, c.name, *run_tool(self.user, c.name, c.arguments)) for c in calls]
        finished += [
            ToolCallFinished(
                f"block_error_{n}", "", {}, {"error": "malformed_tool_block", "message": problem}
            )
            for n, problem in enumerate(errors)
        ]
        self._recorder.tool_results(finished)
        return finished

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
            self._round.visible += text
            self._emit(TextDelta(text))

    def _add_usage(self, usage: dict) -> None:
        for key in ("prompt_tokens", "completion_tokens", "reasoning_tokens"):
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

    async def _save_interrupted(self, status: str, code: str, user_message: str) -> Message:
        return await database_sync_to_async(self._recorder.interrupted)(
            content=self._round.visible.strip(),
            reasoning=self._round.reasoning,
            status=status,
            code=code,
            user_message=user_message,
        )


def _display_params(call: ToolCall) -> dict:
    """The parsed arguments of a call for display (empty when the model sent bad JSON)."""
    params = parse_arguments(call.arguments)
    return params if isinstance(params, dict) else {}
