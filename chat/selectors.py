"""Reads of conversations and messages, always scoped to the owner."""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from chat.errors import ConversationNotFound
from chat.models import Conversation, Message, UsageDay
from core.ids import parse_id


def conversation_list(*, owner: AbstractBaseUser) -> QuerySet[Conversation]:
    return Conversation.objects.filter(owner=owner).order_by("-updated_at", "-id")


def conversation_get(*, owner: AbstractBaseUser, conversation_id: object) -> Conversation:
    pk = parse_id(conversation_id)
    conversation = Conversation.objects.filter(owner=owner, pk=pk).first() if pk else None
    if conversation is None:
        raise ConversationNotFound(conversation_id=conversation_id)
    return conversation


def message_list_recent(*, conversation: Conversation, limit: int) -> list[Message]:
    """The newest `limit` messages, oldest first, with what a prompt needs (never the stored reasoning):
    one bounded query on the (conversation, created_at, id) index, however long the conversation is."""
    newest = (
        conversation.messages.order_by("-created_at", "-id")
        .only("conversation_id", "role", "content", "tool_calls", "tool_call_id", "tool_name", "created_at")
        .select_related(None)[:limit]
    )
    return list(newest)[::-1]


def message_list(*, conversation: Conversation) -> QuerySet[Message]:
    """The transcript in order (the caller has already checked ownership via conversation_get)."""
    return conversation.messages.order_by("created_at", "id")


def usage_tokens_on(*, user: AbstractBaseUser, day: datetime.date) -> int:
    """Tokens (prompt + completion) the user spent on that day, from their usage row (0 before their first turn)."""
    row = UsageDay.objects.filter(user=user, day=day).values("prompt_tokens", "completion_tokens").first()
    return row["prompt_tokens"] + row["completion_tokens"] if row else 0
