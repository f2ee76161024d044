"""Writes to conversations and messages."""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from chat import errors
from chat.models import Conversation, Message, UsageDay
from chat.selectors import conversation_get
from core import broadcast

TITLE_LENGTH = 60


def title_from(text: str) -> str:
    """A conversation title from its first message: the first line, cut at a word near 60 characters."""
    line = " ".join(text.strip().split())
    if len(line) <= TITLE_LENGTH:
        return line
    cut = line[:TITLE_LENGTH].rsplit(" ", 1)[0]
    return (cut if len(cut) > 20 else line[:TITLE_LENGTH]) + "…"


def _announce(owner: AbstractBaseUser) -> None:
    """Every open tab of the owner re-renders its conversations sidebar."""
    broadcast.conversations_changed(owner.pk)


def conversation_create(*, owner: AbstractBaseUser, title: str = "") -> Conversation:
    conversation = Conversation.objects.create(owner=owner, title=title[:200])
    _announce(owner)
    return conversation


def conversation_rename(*, owner: AbstractBaseUser, conversation_id: object, title: str) -> Conversation:
    title = " ".join(str(title or "").split())
    if not title:
        raise errors.ConversationTitleRequired()
    if len(title) > 200:
        raise errors.ConversationTitleTooLong(limit=200)
    conversation = conversation_get(owner=owner, conversation_id=conversation_id)
    conversation.title = title
    conversation.save(update_fields=["title", "updated_at"])
    _announce(owner)
    return conversation


def conversation_delete(*, owner: AbstractBaseUser, conversation_id: object) -> None:
    conversation_get(owner=owner, conversation_id=conversation_id).delete()
    _announce(owner)


@transaction.atomic
def user_message_create(*, owner: AbstractBaseUser, conversation_id: object | None, content: str) -> Message:
    """Saves the user's message first (creating the conversation when needed), before the model is called."""
    if conversation_id is None:
        conversation = conversation_create(owner=owner, title=title_from(content))
    else:
        conversation = conversation_get(owner=owner, conversation_id=conversation_id)
        if not conversation.title:
            conversation.title = title_from(content)
        _announce(owner)  # it moves to the top of the sidebar
    conversation.updated_at = timezone.now()
    conversation.save()
    return Message.objects.create(conversation=conversation, role=Message.Role.USER, content=content)


def assistant_message_create(
    *,
    conversation: Conversation,
    content: str,
    reasoning: str = "",
    tool_calls: list[dict] | None = None,
    usage: dict | None = None,
    model: str = "",
    latency_ms: int | None = None,
    status: str = Message.Status.COMPLETE,
    error_code: str = "",
    error_message: str = "",
) -> Message:
    """One assistant message of a turn (an answer, a round of tool calls, or what was left of a cut-short
    reply), with its token usage and Groq's timings; the conversation moves to the top of the list."""
    usage = usage or {}
    message = Message.objects.create(
        conversation=conversation,
        role=Message.Role.ASSISTANT,
        content=content,
        reasoning=reasoning,
        tool_calls=tool_calls or [],
        model=model,
        prompt_tokens=usage.get("prompt_tokens"),
        completion_tokens=usage.get("completion_tokens"),
        reasoning_tokens=usage.get("reasoning_tokens"),
        timings=usage.get("timings") or {},
        latency_ms=latency_ms,
        status=status,
        error_code=error_code,
        error_message=error_message[:300],
    )
    conversation.save(update_fields=["updated_at"])
    return message


def tool_results_create(*, conversation: Conversation, results: list[tuple[str, str, str]]) -> list[Message]:
    """The results of one round of tool calls: `(call_id, tool_name, result_json)` each, in order."""
    return Message.objects.bulk_create(
        [
            Message(
                conversation=conversation,
                role=Message.Role.TOOL,
                tool_call_id=call_id,
                tool_name=name,
                content=content,
            )
            for call_id, name, content in results
        ]
    )


USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "reasoning_tokens", "cached_tokens")


def usage_record(*, user_id: int, usage: dict, day: datetime.date | None = None) -> None:
    """Adds one ended turn and its tokens to the user's row for the (UTC) day, with an atomic F() increment: two
    workers ending turns at once both count, and the first turn of a day creates the row."""
    day = day or timezone.now().date()
    added = {name: max(int(usage.get(name) or 0), 0) for name in USAGE_FIELDS}
    increments = {name: F(name) + value for name, value in added.items()}
    rows = UsageDay.objects.filter(user_id=user_id, day=day)
    if rows.update(turns=F("turns") + 1, **increments):
        return
    try:
        with transaction.atomic():
            UsageDay.objects.create(user_id=user_id, day=day, turns=1, **added)
    except IntegrityError:  # another worker created the day's row in between: add to it
        rows.update(turns=F("turns") + 1, **increments)
