"""The user's clock: "now" and "today" in an IANA zone. Every "today" in the task domain comes from here."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone


def zone(tz: str | ZoneInfo) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(str(tz))


def local_now(tz: str | ZoneInfo, now: dt.datetime | None = None) -> dt.datetime:
    """`now` (default: the current instant) as an aware datetime in `tz`. A naive `now` is read as UTC."""
    instant = now or timezone.now()
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(zone(tz))


def today(tz: str | ZoneInfo, now: dt.datetime | None = None) -> dt.date:
    """The user's today: at one instant a user in Pacific/Kiritimati and one in Pacific/Honolulu differ by a day."""
    return local_now(tz, now).date()
