"""IANA time zone names: the user's "today" is computed in one of these."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError


@lru_cache(maxsize=1)
def timezone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_timezone(name: object) -> bool:
    return isinstance(name, str) and name in timezone_names()


def validate_timezone(name: object) -> None:
    if not is_timezone(name):
        raise ValidationError("%(name)s is not a known time zone (e.g. Europe/Paris).", params={"name": name})


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
