"""The database side of a chat turn: each function is one synchronous hop, called by chat.turn.engine through
database_sync_to_async — a few per turn, never per token."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser

from chat.models import Conversation, Message
from chat.selectors import conversation_get, message_list
from chat.services import user_message_create
from chat.turn.events import ToolCallFinished
from chat.turn.limits import acquire_turn_lock, release_turn_lock
from chat.turn.llm import tool_result_json
from chat.turn.tools import run_tool
from core import broadcast


def save_user_message(
    user: AbstractBaseUser, conversation_id: object | None, text: str
) -> tuple[Message, list[Message]]:
    """Saves the message under the conversation's turn lock (released when the turn ends); returns it with the
    conversation's history."""
    if conversation_id is not None:
        # Not found before busy; and the lock is keyed by the real pk, whatever form the id came in ("05").
        conversation_id = conversation_get(owner=user, conversation_id=conversation_id).pk
        acquire_turn_lock(conversation_id)
    try:
        message = user_message_create(owner=user, conversation_id=conversation_id, content=text)
    except BaseException:
        if conversation_id is not None:
            release_turn_lock(conversation_id)
        raise
    if conversation_id is None:
        acquire_turn_lock(message.conversation_id)
    return message, list(message_list(conversation=message.conversation))


def end_turn(*, user_id: int, conversation_id: int, user_message_id: int) -> None:
    """Frees the conversation for its next message and tells the user's other tabs that its reply is saved
    (a tab showing that conversation, other than the one that streamed it, then fetches the transcript)."""
    release_turn_lock(conversation_id)
    broadcast.turn_finished(user_id, conversation_id=conversation_id, user_message_id=user_message_id)


class TurnRecorder:
    """Writes one turn's assistant and tool messages, with usage, Groq timings and latency."""

    def __init__(self, *, user: AbstractBaseUser, conversation: Conversation):
        self.user = user
        self.conversation = conversation
        self._started = time.monotonic()

    def _assistant(self, *, content: str, reasoning: str, usage: dict, **fields) -> Message:
        message = Message.objects.create(
            conversation=self.conversation,
            role=Message.Role.ASSISTANT,
            content=content,
            reasoning=reasoning,
            model=settings.GROQ_MODEL,
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
            reasoning_tokens=usage.get("reasoning_tokens"),
            timings=usage.get("timings") or {},
            latency_ms=int((time.monotonic() - self._started) * 1000),
            **fields,
        )
        self.conversation.save(update_fields=["updated_at"])
        return message

    def answer(self, *, content: str, reasoning: str, usage: dict) -> Message:
        return self._assistant(content=content, reasoning=reasoning, usage=usage)

    def interrupted(
        self, *, content: str, reasoning: str, status: str, code: str, user_message: str
    ) -> Message:
        """A stopped, partial or failed reply: what arrived, and what the user was told."""
        return self._assistant(
            content=content,
            reasoning=reasoning,
            usage={},  # the cut-short call reported no usage
            status=status,
            error_code=code if status != Message.Status.STOPPED else "",
            error_message=user_message[:300],
        )

    def tool_round(
        self, *, content: str, reasoning: str, usage: dict, calls: list[dict], errors: list[str]
    ) -> list[ToolCallFinished]:
        """Saves the model's calls, runs them as the user (tasks service layer), saves the results."""
        self._assistant(
            content=content,
            reasoning=reasoning,
            usage=usage,
            tool_calls=[{"id": c["id"], "name": c["name"], "arguments": c["arguments"]} for c in calls],
        )
        finished = []
        for call in calls:
            params, result = run_tool(self.user, call["name"], call["arguments"])
            finished.append(ToolCallFinished(call["id"], call["name"], params, result))
        for n, problem in enumerate(errors):
            report = {"error": "malformed_tool_block", "message": problem}
            finished.append(ToolCallFinished(f"block_error_{n}", "", {}, report))
        Message.objects.bulk_create(
            [
                Message(
                    conversation=self.conversation,
                    role=Message.Role.TOOL,
                    tool_call_id=event.call_id if event.name else "",  # a block error answers no call
                    tool_name=event.name,
                    content=tool_result_json(event.result),
                )
                for event in finished
            ]
        )
        return finished
