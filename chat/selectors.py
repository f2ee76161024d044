"""Reads of conversations and messages, always scoped to the owner."""

from __future__ import annotations

import datetime
import functools
from typing import NamedTuple

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.db.models import Q, QuerySet

from chat.errors import ConversationNotFound, MessageNotFound
from chat.models import Conversation, Message, UsageDay
from core.ids import parse_id

TRANSCRIPT_PAGE = 100  # messages on one page of a transcript ("Load earlier" for the page before)
TRANSCRIPT_PAGE_CHARS = 60_000  # and about this much text (content, reasoning, tool calls)


def conversation_list(*, owner: AbstractBaseUser) -> QuerySet[Conversation]:
    return Conversation.objects.filter(owner=owner).order_by("-updated_at", "-id")


def conversation_titles(*, owner_id: int, limit: int) -> list[tuple[int, str]]:
    """(id, title) of the owner's newest `limit` conversations, as conversation_list orders them."""
    with connection.cursor() as cursor:
        cursor.execute(_conversation_titles_sql(), [owner_id, limit])
        return cursor.fetchall()


@functools.cache
def _conversation_titles_sql() -> str:
    """Plain SQL, like _usage_tokens_sql: every new conversation re-sends its owner's sidebar to their tabs, and
    building this ORM query cost more than running it."""
    q, meta = connection.ops.quote_name, Conversation._meta
    pk, title, owner, updated = (
        q(meta.get_field(name).column) for name in ("id", "title", "owner", "updated_at")
    )
    # Identifiers from the model's metadata, quoted; every value is a parameter.
    return (
        f"SELECT {pk}, {title} FROM {q(meta.db_table)} WHERE {owner} = %s"  # noqa: S608
        f" ORDER BY {updated} DESC, {pk} DESC LIMIT %s"
    )


def conversation_get(*, owner: AbstractBaseUser, conversation_id: object) -> Conversation:
    pk = parse_id(conversation_id)
    conversation = Conversation.objects.filter(owner=owner, pk=pk).first() if pk else None
    if conversation is None:
        raise ConversationNotFound(conversation_id=conversation_id)
    return conversation


class PromptRow(NamedTuple):
    """A stored message as a prompt needs it (never the reasoning): a tuple, ~3× cheaper to load than a model."""

    id: int
    role: str
    content: str
    tool_calls: list
    tool_call_id: str
    tool_name: str
    created_at: datetime.datetime
    replaced_at: datetime.datetime | None


def message_list_recent(
    *, conversation: Conversation, limit: int, before: PromptRow | Message | None = None
) -> list[PromptRow]:
    """The newest `limit` messages (older than `before`, when given), oldest first: one bounded query on the
    (conversation, created_at, id) index, however long the conversation is."""
    # The current branch only (not a regenerated reply, nor an edited question and its reply).
    rows = conversation.messages.filter(replaced_at__isnull=True)
    if before is not None:
        rows = rows.filter(
            Q(created_at__lt=before.created_at) | Q(created_at=before.created_at, id__lt=before.id)
        )
    newest = rows.order_by("-created_at", "-id").values_list(*PromptRow._fields)[:limit]
    return [PromptRow._make(row) for row in reversed(newest)]


def message_list(*, conversation: Conversation) -> QuerySet[Message]:
    """The transcript in order (the caller has already checked ownership via conversation_get)."""
    return conversation.messages.select_related("feedback").order_by("created_at", "id")


def usage_tokens_on(*, user: AbstractBaseUser, day: datetime.date) -> int:
    """Tokens (prompt + completion) the user spent on that day, from their usage row (0 before their first turn)."""
    with connection.cursor() as cursor:
        cursor.execute(_usage_tokens_sql(), [user.pk, connection.ops.adapt_datefield_value(day)])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@functools.cache
def _usage_tokens_sql() -> str:
    """Plain SQL, as core.sessions: it runs before every turn, and building the ORM query cost about four times
    the query itself (PostgreSQL 427 → 82 µs, SQLite 284 → 14 µs a call)."""
    q, meta = connection.ops.quote_name, UsageDay._meta
    prompt, completion, user, day = (
        q(meta.get_field(name).column) for name in ("prompt_tokens", "completion_tokens", "user", "day")
    )
    # Identifiers from the model's metadata, quoted; every value is a parameter.
    return f"SELECT {prompt} + {completion} FROM {q(meta.db_table)} WHERE {user} = %s AND {day} = %s"  # noqa: S608


def _before(message: Message) -> Q:
    return Q(created_at__lt=message.created_at) | Q(created_at=message.created_at, id__lt=message.pk)


def _size(message: Message) -> int:
    return len(message.content) + len(message.reasoning or "") + len(str(message.tool_calls or ""))


def message_page(
    *,
    conversation: Conversation,
    before: object = None,
    limit: int = TRANSCRIPT_PAGE,
    max_chars: int = TRANSCRIPT_PAGE_CHARS,
) -> tuple[list[Message], int | None]:
    """The newest messages before message `before` (None: the end of the transcript), in order, and the `before`
    of the page preceding it (None when this page reaches the start).

    A page holds at most `limit` messages and about `max_chars` of text, and always starts at a user message, so
    a turn is never split — unless one turn alone is bigger, which then makes the page by itself. A `before`
    that is not a message of this conversation gives an empty page (the caller has checked ownership via
    conversation_get).
    """
    messages = conversation.messages.select_related("feedback")
    if before is not None:
        anchor = messages.filter(pk=parse_id(before)).first() if parse_id(before) else None
        if anchor is None:
            return [], None
        messages = messages.filter(_before(anchor))
    newest = list(messages.order_by("-created_at", "-id")[:limit])
    start, used = None, 0
    for i, message in enumerate(newest):
        used += _size(message)
        if start is not None and used > max_chars:
            break
        if message.role == Message.Role.USER:
            start = i
    if (
        start is None and newest
    ):  # no turn begins inside the window: take the rest of this turn, back to its start
        for message in messages.filter(_before(newest[-1])).order_by("-created_at", "-id").iterator(50):
            newest.append(message)
            if message.role == Message.Role.USER:
                break
        start = len(newest) - 1
    page = newest[: start + 1][::-1] if newest else []
    earlier = bool(page) and messages.filter(_before(page[0])).exists()
    return page, page[0].pk if earlier else None


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
