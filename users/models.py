from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from users.timezones import validate_timezone


def default_timezone() -> str:
    return settings.USERS_DEFAULT_TIMEZONE


class User(AbstractUser):
    """The account. `timezone` (an IANA name) is where the user's "today" and "tomorrow at 5" are computed."""

    timezone = models.CharField(max_length=64, default=default_timezone, validators=[validate_timezone])
    # False until the user picks a zone (the settings page proposes the browser's zone until then).
    timezone_chosen = models.BooleanField(default=False)

    @property
    def zoneinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
