"""Reads of conversations and messages, always scoped to the owner."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
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
    return conversation.messages.select_related("feedback").order_by("created_at", "id")


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


def conversation_search(
    *, owner: AbstractBaseUser, query: str, limit: int = 20
) -> list[tuple[Conversation, str]]:
    """The owner's conversations whose title or messages match `query`, most recent first, each with the text
    that matched (its title, or the first matching message). PostgreSQL full-text search (any language's words,
    stemmed as English) when the database is PostgreSQL; a case-insensitive substring match elsewhere."""
    query = " ".join(str(query or "").split())[:200]
    if not query:
        return []
    conversations = Conversation.objects.filter(owner=owner)
    messages = Message.objects.filter(
        conversation__owner=owner, role__in=[Message.Role.USER, Message.Role.ASSISTANT]
    ).exclude(content="")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        words = SearchQuery(query, search_type="websearch", config="english")
        conversations = conversations.annotate(found=SearchVector("title", config="english")).filter(
            found=words
        )
        messages = messages.annotate(found=SearchVector("content", config="english")).filter(found=words)
    else:
        conversations = conversations.filter(title__icontains=query)
        messages = messages.filter(content__icontains=query)
    hits: dict[int, str] = {c.pk: c.title for c in conversations.only("pk", "title")[:limit]}
    for conversation_id, content in messages.order_by("created_at", "id").values_list(
        "conversation_id", "content"
    ):
        hits.setdefault(conversation_id, content)
    found = conversation_list(owner=owner).filter(pk__in=hits)[:limit]
    return [(c, hits[c.pk]) for c in found]
