"""Usage accounting per user and day, the daily token quota, prompt-cache hits, and the turn lock's lease."""

import datetime
import threading

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.db import connection
from django.utils import timezone

from chat import services
from chat.models import Message, UsageDay
from chat.turn.limits import turn_lease_seconds
from chat.turn.start import start_turn
from core.errors import DomainError

pytestmark = pytest.mark.django_db(transaction=True)


async def _day(user) -> UsageDay:
    return await UsageDay.objects.aget(user=user, day=timezone.now().date())


async def test_each_turn_adds_its_usage_to_the_users_day(user, emulator):
    first = await start_turn(user=user, text="add a task to buy milk")
    await first.result()
    day = await _day(user)
    assert day.turns == 1
    # Both model calls (the tool round, then the answer) count: the row matches the messages' own usage.
    saved = [
        m async for m in Message.objects.filter(role="assistant").values("prompt_tokens", "completion_tokens")
    ]
    assert len(saved) == 2
    assert day.prompt_tokens == sum(m["prompt_tokens"] for m in saved) > 0
    assert day.completion_tokens == sum(m["completion_tokens"] for m in saved) > 0
    second = await start_turn(user=user, text="hello", conversation_id=first.conversation_id)
    await second.result()
    again = await _day(user)
    assert again.turns == 2 and again.prompt_tokens > day.prompt_tokens


async def test_a_repeated_prefix_is_reported_and_recorded_as_cached(user, emulator):
    first = await start_turn(user=user, text="hello")
    await first.result()
    assert (await _day(user)).cached_tokens == 0  # nothing was sent before
    second = await start_turn(user=user, text="thanks!", conversation_id=first.conversation_id)
    await second.result()
    day = await _day(user)
    # The second turn re-sends the system prompt, the tools and the first exchange: a prompt-cache hit.
    assert 0 < day.cached_tokens < day.prompt_tokens
    sent = emulator.requests_snapshot()
    assert len(sent) == 2


async def test_deleting_a_conversation_keeps_the_spend(user, emulator):
    turn = await start_turn(user=user, text="hello")
    await turn.result()
    before = await _day(user)
    await sync_to_async(services.conversation_delete)(owner=user, conversation_id=turn.conversation_id)
    after = await _day(user)
    assert (after.turns, after.prompt_tokens, after.completion_tokens) == (
        before.turns,
        before.prompt_tokens,
        before.completion_tokens,
    )


async def test_the_daily_quota_refuses_a_turn_before_the_model_is_called(
    user, other_user, emulator, settings
):
    settings.CHAT_DAILY_TOKENS = 1000
    await sync_to_async(services.usage_record)(
        user_id=user.pk, usage={"prompt_tokens": 900, "completion_tokens": 100}
    )
    with pytest.raises(DomainError) as refused:
        await start_turn(user=user, text="hello")
    assert refused.value.code == "daily_quota_reached" and refused.value.status_code == 429
    assert 0 < refused.value.retry_after <= 86_400 and "midnight UTC" in refused.value.message
    assert emulator.requests_snapshot() == []
    other = await start_turn(user=other_user, text="hello")  # per user
    assert (await other.result()).status == "complete"


def test_the_quota_is_per_utc_day_and_resets_at_midnight(user, settings):
    from chat.turn.quota import check_daily_quota

    settings.CHAT_DAILY_TOKENS = 10
    late = datetime.datetime(2026, 11, 26, 23, 59, 30, tzinfo=datetime.UTC)
    with time_machine.travel(late, tick=False) as clock:
        services.usage_record(user_id=user.pk, usage={"prompt_tokens": 10})
        with pytest.raises(DomainError) as refused:
            check_daily_quota(user)
        assert refused.value.retry_after == 31
        clock.shift(31)
        check_daily_quota(user)  # a new UTC day


def test_usage_rows_add_up_atomically(user):
    day = datetime.date(2026, 11, 26)
    for n in range(3):
        services.usage_record(
            user_id=user.pk,
            day=day,
            usage={
                "prompt_tokens": 100,
                "completion_tokens": 10,
                "reasoning_tokens": 4,
                "cached_tokens": 50 * n,
            },
        )
    row = UsageDay.objects.get(user=user, day=day)
    assert (row.turns, row.prompt_tokens, row.completion_tokens, row.reasoning_tokens, row.cached_tokens) == (
        3,
        300,
        30,
        12,
        150,
    )


def test_turns_ending_at_once_on_a_new_day_all_count(user):
    """Several workers end their first turn of a day together: one creates the row, the others add to it
    (their create fails on the unique row per day) — none is lost."""
    day, ends = datetime.date(2026, 11, 27), 6
    start = threading.Barrier(ends)
    failures = []

    def end_a_turn() -> None:
        try:
            start.wait(timeout=10)
            services.usage_record(
                user_id=user.pk, day=day, usage={"prompt_tokens": 10, "completion_tokens": 1}
            )
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=end_a_turn) for _ in range(ends)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    row = UsageDay.objects.get(user=user, day=day)
    assert (row.turns, row.prompt_tokens, row.completion_tokens) == (ends, 10 * ends, ends)


def test_the_turn_lock_is_a_lease_of_agent_timeout_plus_ten(settings):
    settings.CHAT_TURN_LEASE_SECONDS = None
    settings.AGENT_TIMEOUT = 4
    assert turn_lease_seconds() == 14
    settings.CHAT_TURN_LEASE_SECONDS = 7
    assert turn_lease_seconds() == 7
