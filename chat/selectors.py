"""Reads of conversations and messages, always scoped to the owner."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from chat.errors import ConversationNotFound, MessageNotFound
from chat.models import Conversation, Message
from core.ids import parse_id


def conversation_list(*, owner: AbstractBaseUser) -> QuerySet[Conversation]:
    return Conversation.objects.filter(owner=owner).order_by("-updated_at", "-id")


def conversation_get(*, owner: AbstractBaseUser, conversation_id: object) -> Conversation:
    pk = parse_id(conversation_id)
    conversation = Conversation.objects.filter(owner=owner, pk=pk).first() if pk else None
    if conversation is None:
        raise ConversationNotFound(conversation_id=conversation_id)
    return conversation


def message_list(*, conversation: Conversation) -> QuerySet[Message]:
    """The transcript in order (the caller has already checked ownership via conversation_get)."""
    return conversation.messages.order_by("created_at", "id")


def message_get(*, owner: AbstractBaseUser, message_id: object) -> Message:
    pk = parse_id(message_id)
    message = (
        Message.objects.select_related("conversation").filter(conversation__owner=owner, pk=pk).first()
        if pk
        else None
    )
    if message is None:
        raise MessageNotFound(message_id=message_id)
    return message


def current_question(*, conversation: Conversation) -> Message | None:
    """The conversation's last question that has not been replaced (the one Regenerate and Edit act on)."""
    return (
        conversation.messages.filter(role=Message.Role.USER, replaced_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )
