"""The sliding window (the chat's turns per minute, the API's throttles): a burst straddling a window's boundary gets
the limit, not twice it."""

import datetime
import os
import time

import pytest
import time_machine
from django.core.cache import cache, caches

from core import rate_window

MINUTE_EDGE = datetime.datetime(2026, 11, 26, 9, 0, 0, tzinfo=datetime.UTC)


def _take(key: str, limit: int) -> int:
    """The cache-log path at the (travelled) clock; on Redis, take() uses Redis's own clock (tested below)."""
    return rate_window._take_log(key, limit, time.time())


def _sent(key: str, limit: int, tries: int) -> list[int]:
    return [_take(key, limit) for _ in range(tries)]


def test_a_burst_across_the_minute_boundary_gets_the_limit_not_twice_it():
    with time_machine.travel(MINUTE_EDGE - datetime.timedelta(seconds=1), tick=False) as clock:
        first = _sent("k", 20, 20)
        clock.shift(2)  # one second into the next minute
        second = _sent("k", 20, 20)
    assert first.count(0) == 20
    assert second.count(0) == 0  # the old fixed window let all 20 through here: 40 in two seconds
    assert all(1 <= wait <= 60 for wait in second)


def test_sending_works_again_after_the_wait_it_announces():
    with time_machine.travel(MINUTE_EDGE + datetime.timedelta(seconds=10), tick=False) as clock:
        assert _sent("k", 3, 3) == [0, 0, 0]
        wait = _take("k", 3)
        assert wait > 0
        clock.shift(wait - 1)
        assert _take("k", 3) > 0  # not a second early...
        clock.shift(1)
        assert _take("k", 3) == 0  # ...and on time


def test_in_a_steady_state_the_window_slides():
    # 3 a minute, one every 20 s for five minutes: every one goes through, an extra one never does.
    with time_machine.travel(MINUTE_EDGE, tick=False) as clock:
        for _ in range(15):
            assert _take("k", 3) == 0
            clock.shift(20)
        clock.shift(-19)
        assert _take("k", 3) > 0


def test_a_longer_window_holds_its_events_for_as_long():
    hour = 3600
    with time_machine.travel(MINUTE_EDGE, tick=False) as clock:
        assert [rate_window._take_log("h", 2, time.time(), hour) for _ in range(2)] == [0, 0]
        clock.shift(61)  # a minute's window would have freed both
        wait = rate_window._take_log("h", 2, time.time(), hour)
        assert hour - 61 - 1 <= wait <= hour - 61
        clock.shift(wait)
        assert rate_window._take_log("h", 2, time.time(), hour) == 0


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the exact window runs on Redis (REDIS_URL)")
def test_on_redis_the_window_is_an_exact_sorted_set():
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)
    assert [rate_window.take("exact", 5) for _ in range(7)] == [
        0,
        0,
        0,
        0,
        0,
        *([pytest.approx(60, abs=1)] * 2),
    ]
    client = caches["default"]._cache.get_client(write=True)
    key = cache.make_and_validate_key("exact")
    assert client.zcard(key) == 5 and 0 < client.pttl(key) <= 60_000
    assert [rate_window.take("hourly", 1, 3600) for _ in range(2)] == [0, pytest.approx(3600, abs=1)]
