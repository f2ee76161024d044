"""Every write to accounts: keyword-only, atomic."""

import secrets

from django.db import transaction

from users.errors import InvalidTimezone
from users.models import User, calendar_token_digest
from users.timezones import is_timezone


@transaction.atomic
def user_update_timezone(*, user: User, timezone: str) -> User:
    """Set the user's IANA zone (their "today"); a zone chosen this way is never replaced by a browser guess."""
    value = str(timezone or "").strip()
    if not is_timezone(value):
        raise InvalidTimezone(value=timezone)
    user.timezone, user.timezone_chosen = value, True
    user.save(update_fields=["timezone", "timezone_chosen"])
    return user


@transaction.atomic
def user_calendar_token(*, user: User) -> str:
    """The secret of the user's calendar feed URL, made the first time it is asked for."""
    if not user.calendar_token:
        return user_regenerate_calendar_token(user=user)
    return user.calendar_token


@transaction.atomic
def user_regenerate_calendar_token(*, user: User) -> str:
    """A new secret: the old calendar URL stops working at once."""
    token = secrets.token_urlsafe(32)  # 256 bits, 43 URL-safe characters
    user.calendar_token, user.calendar_token_digest = token, calendar_token_digest(token)
    user.save(update_fields=["calendar_token", "calendar_token_digest"])
    return token
