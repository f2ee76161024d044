"""The REST API's throttles count in core.rate_window's sliding window: atomic, and their wait is exact."""

import threading
from types import SimpleNamespace

from core.throttling import ScopedRateThrottle, UserRateThrottle


class FivePerMinute(UserRateThrottle):
    rate = "5/min"


def _request(user_id: int) -> SimpleNamespace:
    return SimpleNamespace(user=SimpleNamespace(pk=user_id, is_authenticated=True), META={})


def test_requests_arriving_together_get_exactly_the_rate():
    start = threading.Barrier(30)
    allowed = []

    def one() -> None:
        throttle = FivePerMinute()
        start.wait()
        allowed.append(throttle.allow_request(_request(41), None))

    threads = [threading.Thread(target=one) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # DRF's read-then-write history lets requests that read it at the same moment all pass.
    assert allowed.count(True) == 5


def test_a_refused_request_is_told_when_the_next_one_passes():
    throttle = FivePerMinute()
    assert all(throttle.allow_request(_request(42), None) for _ in range(5))
    assert throttle.wait() is None

    assert throttle.allow_request(_request(42), None) is False
    assert 59 <= throttle.wait() <= 60
    assert FivePerMinute().allow_request(_request(43), None)  # per user


def test_a_view_without_a_scope_is_not_throttled_by_scope():
    view = SimpleNamespace()
    assert all(ScopedRateThrottle().allow_request(_request(44), view) for _ in range(50))
