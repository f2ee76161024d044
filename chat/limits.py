"""Limits on what a user may send: message size and turns per minute. Shared by every chat interface."""

import time

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache

from config.errors import DomainError


def validate_message_text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise DomainError("message_required", "Write a message first.", field="message")
    limit = settings.CHAT_MESSAGE_MAX_CHARS
    if len(text) > limit:
        raise DomainError(
            "message_too_long", f"A message can be at most {limit} characters.", field="message"
        )
    return text.strip()


def check_chat_rate(user: AbstractBaseUser) -> None:
    """At most CHAT_RATE_PER_MINUTE turns per user per minute, counted in the shared cache (Redis in production)."""
    key = f"chat-rate:{user.pk}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    if cache.incr(key) > settings.CHAT_RATE_PER_MINUTE:
        raise DomainError(
            "rate_limited", "You're sending messages too fast. Please wait a minute.", status_code=429
        )
