"""Whether a user may start a turn now: the daily token quota, then the per-minute rate. Checked before the user's
message is saved, so a refused turn costs nothing and calls no model."""

import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from chat import errors
from chat.selectors import usage_tokens_on
from chat.turn.limits import check_chat_rate


def check_daily_quota(user: AbstractBaseUser) -> None:
    """At most CHAT_DAILY_TOKENS tokens (prompt + completion, cache hits included) per UTC day. The day is UTC,
    not the user's own, so one reset instant holds for everyone and a change of time zone cannot reopen a day.
    A turn that starts under the quota may end above it: the next one is refused."""
    now = timezone.now()
    limit = settings.CHAT_DAILY_TOKENS
    if usage_tokens_on(user=user, day=now.date()) < limit:
        return
    midnight = datetime.datetime.combine(
        now.date() + datetime.timedelta(days=1), datetime.time(), datetime.UTC
    )
    raise errors.DailyQuotaReached(limit=limit, retry_after=max(1, int((midnight - now).total_seconds()) + 1))


def check_turn_allowed(user: AbstractBaseUser) -> None:
    check_daily_quota(user)
    check_chat_rate(user)
