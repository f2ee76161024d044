"""Writes to conversations and messages."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from chat import errors
from chat.models import Conversation, Message
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
