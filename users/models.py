import hashlib
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from users.timezones import validate_timezone


def calendar_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def default_timezone() -> str:
    return settings.USERS_DEFAULT_TIMEZONE


class User(AbstractUser):
    """The account. `timezone` (an IANA name) is where the user's "today" and "tomorrow at 5" are computed."""

    timezone = models.CharField(max_length=64, default=default_timezone, validators=[validate_timezone])
    # False until the user picks a zone (the settings page proposes the browser's zone until then).
    timezone_chosen = models.BooleanField(default=False)
    # The secret of the calendar feed URL (/calendar/<token>.ics), made on first use (users.services). It is kept
    # so that /api/me/ can show the URL again; the feed finds its user by the token's SHA-256 (a timing-safe
    # lookup: the database compares digests of the guess, never the secret) and then compares the token itself
    # with hmac.compare_digest.
    calendar_token = models.CharField(max_length=64, blank=True, default="", editable=False)
    calendar_token_digest = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )

    @property
    def zoneinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
