"""Limits on what a user may send: message size and turns per minute. Shared by every chat interface."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache

from chat import errors
from core import rate_window


def validate_message_text(text: object) -> str:
    """The message as saved: trimmed, 1 to CHAT_MESSAGE_MAX_CHARS characters after trimming (any length over that
    is `message_too_long`), and text every store can hold (no NUL, no lone surrogate)."""
    if not isinstance(text, str) or not (trimmed := text.strip()):
        raise errors.MessageRequired()
    limit = settings.CHAT_MESSAGE_MAX_CHARS
    if len(trimmed) > limit:
        raise errors.MessageTooLong(limit=limit)
    if "\x00" in trimmed or not _is_utf8_encodable(trimmed):
        raise errors.MessageUnreadable()
    return trimmed


def _is_utf8_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in JSON)
        return False
    return True


def check_chat_rate(user: AbstractBaseUser) -> None:
    """At most CHAT_RATE_PER_MINUTE turns per user in any 60 seconds (a sliding window in the shared cache, Redis
    in production); a refusal says in how many seconds sending works again."""
    if wait := rate_window.take(f"chat-rate:{user.pk}", settings.CHAT_RATE_PER_MINUTE):
        raise errors.ChatRateLimited(retry_after=wait)


def _turn_lock_key(conversation_id: int) -> str:
    return f"chat-turn-lock:{conversation_id}"


def acquire_turn_lock(conversation_id: int) -> None:
    """One turn at a time per conversation (across tabs, processes and the API). The lock is a lease of
    CHAT_TURN_LEASE_SECONDS (AGENT_TIMEOUT + 10 by default): a worker killed mid-turn never releases it, and the
    conversation takes messages again once it lapses (its orphaned question then shows "interrupted")."""
    lease = max(1, round(turn_lease_seconds()))
    if not cache.add(_turn_lock_key(conversation_id), 1, timeout=lease):
        raise errors.TurnInProgress()


def turn_lease_seconds() -> float:
    return settings.CHAT_TURN_LEASE_SECONDS or settings.AGENT_TIMEOUT + 10


def release_turn_lock(conversation_id: int) -> None:
    cache.delete(_turn_lock_key(conversation_id))


def turn_running(conversation_id: int) -> bool:
    return cache.get(_turn_lock_key(conversation_id)) is not None
