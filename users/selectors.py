"""Reads of accounts."""

import hmac

from users.models import User, calendar_token_digest


def user_by_calendar_token(*, token: str) -> User | None:
    """The user whose calendar feed secret is `token`, or None (any other string, of any length)."""
    if not token or len(token) > 128:
        return None
    user = User.objects.filter(calendar_token_digest=calendar_token_digest(token), is_active=True).first()
    if user is None or not hmac.compare_digest(user.calendar_token.encode(), token.encode()):
        return None
    return user
