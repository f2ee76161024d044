"""DRF's throttles, identifying anonymous clients by core.client_ip (the login lockout's reading of the IP), counted in
core.rate_window's sliding window.

DRF keeps each client's history as a pickled list in the cache, read and then written back: two round trips to
Redis per request, and not atomic, so requests arriving together all read the same history and all pass. Here the
same rate (`num_requests` per `duration`) is one atomic script on Redis (a process lock without it), and the wait
announced in Retry-After is the time until the oldest request in the window leaves it.
"""

from rest_framework import throttling

from core import rate_window
from core.client_ip import client_ip


class _SlidingWindow(throttling.SimpleRateThrottle):
    _wait: int = 0

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self._wait = rate_window.take(self.key, self.num_requests, self.duration)
        return self._wait == 0

    def wait(self) -> float | None:
        return self._wait or None


class _ClientIpMixin:
    def get_ident(self, request) -> str:
        return client_ip(request)


# DRF's classes come before the window in each class's order: ScopedRateThrottle sets the view's rate, then calls
# SimpleRateThrottle.allow_request, which is the window's.
class UserRateThrottle(_ClientIpMixin, throttling.UserRateThrottle, _SlidingWindow):
    """Per user; per client IP before logging in."""


class ScopedRateThrottle(_ClientIpMixin, throttling.ScopedRateThrottle, _SlidingWindow):
    """Per view scope (`throttle_scope`), per user or client IP."""
