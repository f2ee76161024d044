"""Reads of conversations and messages, always scoped to the owner."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from chat.models import Conversation, Message
from config.errors import NotFoundError


class ConversationNotFound(NotFoundError):
    def __init__(self, conversation_id: object):
        super().__init__(
            "conversation_not_found",
            f"Conversation {conversation_id} was not found.",
            field="conversation_id",
        )


def conversation_list(*, owner: AbstractBaseUser) -> QuerySet[Conversation]:
    return Conversation.objects.filter(owner=owner).order_by("-updated_at", "-id")


def conversation_get(*, owner: AbstractBaseUser, conversation_id: object) -> Conversation:
    try:
        pk = int(conversation_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise ConversationNotFound(conversation_id) from None
    conversation = Conversation.objects.filter(owner=owner, pk=pk).first()
    if conversation is None:
        raise ConversationNotFound(conversation_id)
    return conversation


def message_list(*, conversation: Conversation) -> QuerySet[Message]:
    """The transcript in order (the caller has already checked ownership via conversation_get)."""
    return conversation.messages.order_by("created_at", "id")


def usage_totals(*, owner: AbstractBaseUser) -> dict[str, int]:
    from django.db.models import Sum

    totals = Message.objects.filter(conversation__owner=owner).aggregate(
        prompt=Sum("prompt_tokens"), completion=Sum("completion_tokens")
    )
    return {"prompt_tokens": totals["prompt"] or 0, "completion_tokens": totals["completion"] or 0}
