"""The database side of a chat turn: each function is one synchronous hop, called by chat.turn.engine through
database_sync_to_async or chat.turn.hop_context.later_hop — a few per turn, never per token. Rows are written by
chat.services only."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser

from chat import services
from chat.models import Conversation, Message
from chat.selectors import conversation_get, message_list_recent, message_page
from chat.turn import quota
from chat.turn.calls import ToolCall
from chat.turn.events import ToolCallFinished
from chat.turn.limits import acquire_turn_lock, release_turn_lock
from chat.turn.prompting import Turns, history_window, render_turns
from chat.turn.protocols import ToolProtocol
from chat.turn.tools import result_json
from core import broadcast

logger = logging.getLogger(__name__)


def save_user_message(
    user: AbstractBaseUser,
    conversation_id: object | None,
    text: str,
    check: Callable[[], object] | None = None,
    protocol: str | ToolProtocol | None = None,
) -> tuple[Message, Turns]:
    """The turn's first hop, all in one thread hop: the caller's `check` (a socket's session), the rate check, the
    message saved under the conversation's turn lock (released when the turn ends), and the newest history that
    fits the token budget (as `protocol` renders it; default GROQ_TOOL_MODE)."""
    if check is not None:
        check()  # before anything is counted or saved
    quota.check_turn_allowed(user)  # the daily token quota, then the per-minute rate
    conversation = None
    if conversation_id is not None:
        # Not found before busy; and the lock is keyed by the real pk, whatever form the id came in.
        conversation = conversation_get(owner=user, conversation_id=conversation_id)
        acquire_turn_lock(conversation.pk)
    try:
        message = services.user_message_create(owner=user, conversation=conversation, content=text)
    except BaseException:
        if conversation is not None:
            release_turn_lock(conversation.pk)
        raise
    if conversation is None:
        acquire_turn_lock(message.conversation_id)
        return message, render_turns([message], _protocol(protocol))  # a new conversation: this message
    return message, _history(message.conversation, protocol)


def save_retry(
    user: AbstractBaseUser,
    conversation_id: object,
    message_id: object,
    text: str | None,
    check: Callable[[], object] | None = None,
    protocol: str | ToolProtocol | None = None,
) -> tuple[Message, Turns]:
    """Regenerate (no text) or edit (a text) the conversation's last question, in one thread hop like
    save_user_message: `check`, the rate check, the change under the conversation's turn lock, the newest history."""
    if check is not None:
        check()
    quota.check_turn_allowed(user)  # the daily token quota, then the per-minute rate
    conversation_id = conversation_get(owner=user, conversation_id=conversation_id).pk
    acquire_turn_lock(conversation_id)
    try:
        if text is None:
            message = services.reply_replace(
                owner=user, conversation_id=conversation_id, message_id=message_id
            )
        else:
            message = services.user_message_edit(
                owner=user, conversation_id=conversation_id, message_id=message_id, content=text
            )
    except BaseException:
        release_turn_lock(conversation_id)
        raise
    # The page re-renders the transcript's last page (the replaced branch marked): chat.web.live.LiveTurn.started
    message.transcript_page = message_page(conversation=message.conversation)
    return message, _history(message.conversation, protocol)


def _history(conversation: Conversation, protocol: str | ToolProtocol | None) -> Turns:
    """The turns the prompt keeps, rendered: rows loaded newest page first, only as far back as the budget goes."""
    return history_window(
        lambda oldest, n: message_list_recent(conversation=conversation, limit=n, before=oldest),
        _protocol(protocol),
        settings.GROQ_HISTORY_TOKEN_BUDGET,
    )


def _protocol(protocol: str | ToolProtocol | None) -> str | ToolProtocol:
    return protocol or settings.GROQ_TOOL_MODE


USAGE_FIELDS = services.USAGE_FIELDS


def end_turn(
    *, user_id: int, conversation_id: int, user_message_id: int, turn_id: str = "", usage: dict | None = None
) -> None:
    """The turn's last hop: adds its usage to the user's day (kept whatever happens to the conversation), frees
    the conversation for its next message, then tells the user's tabs that its reply is saved."""
    try:
        services.usage_record(user_id=user_id, usage=usage or {})
    finally:
        release_turn_lock(conversation_id)
    broadcast.turn_finished(
        user_id, conversation_id=conversation_id, user_message_id=user_message_id, turn_id=turn_id
    )


class TurnEnd:
    """`end_turn` for one turn, run once: in the answer's own hop when the turn answers (one thread hop fewer
    before the user sees the end), else on its own after a stop or a failure. Never raises: the lock is a lease
    and expires on its own."""

    def __init__(self, user_id: int, user_message: Message, turn_id: str) -> None:
        self._ids = {
            "user_id": user_id,
            "conversation_id": user_message.conversation_id,
            "user_message_id": user_message.pk,
            "turn_id": turn_id,
        }
        self._lock = threading.Lock()
        self.done = False

    def __call__(self, usage: dict) -> None:
        with self._lock:
            if self.done:
                return
            self.done = True
        try:
            end_turn(usage=usage, **self._ids)
        except Exception:
            logger.exception("Could not end the turn (conversation %s)", self._ids["conversation_id"])


class TurnRecorder:
    """Records one turn's assistant and tool messages, with usage, Groq timings and latency."""

    def __init__(self, *, conversation: Conversation):
        self.conversation = conversation
        self._started = time.monotonic()

    def _assistant(self, **fields) -> Message:
        return services.assistant_message_create(
            conversation=self.conversation,
            model=settings.GROQ_MODEL,
            latency_ms=int((time.monotonic() - self._started) * 1000),
            **fields,
        )

    def answer(
        self,
        *,
        content: str,
        reasoning: str,
        usage: dict,
        status: str,
        code: str = "",
        notice: str = "",
        thought_ms: int | None = None,
        then: Callable[[], object] | None = None,
    ) -> Message:
        """The reply, saved; then `then` (the turn's end) in the same hop."""
        message = self._assistant(
            content=content,
            reasoning=reasoning,
            thought_ms=thought_ms,
            usage=usage,
            status=status,
            error_code=code,
            error_message=notice,
        )
        if then is not None:
            then()
        return message

    def interrupted(
        self, *, content: str, reasoning: str, status: str, code: str, user_message: str
    ) -> Message:
        """A stopped, partial or failed reply: what arrived, and what the user was told."""
        return self._assistant(
            content=content,
            reasoning=reasoning,
            status=status,
            error_code=code if status != Message.Status.STOPPED else "",
            error_message=user_message,
        )

    def tool_calls(self, *, content: str, reasoning: str, usage: dict, calls: list[ToolCall]) -> Message:
        return self._assistant(
            content=content, reasoning=reasoning, usage=usage, tool_calls=[c.as_stored() for c in calls]
        )

    def tool_results(self, finished: list[ToolCallFinished]) -> None:
        services.tool_results_create(
            conversation=self.conversation,
            # A report on a malformed tool block answers no call.
            results=[(e.call_id if e.name else "", e.name, result_json(e.result)) for e in finished],
        )
