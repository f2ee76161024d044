"""DRF's throttles, identifying anonymous clients by core.client_ip (the login lockout's reading of the IP)."""

from rest_framework import throttling

from core.client_ip import client_ip


class _ClientIpMixin:
    def get_ident(self, request) -> str:
        return client_ip(request)


class UserRateThrottle(_ClientIpMixin, throttling.UserRateThrottle):
    """Per user; per client IP before logging in."""


class ScopedRateThrottle(_ClientIpMixin, throttling.ScopedRateThrottle):
    """Per view scope (`throttle_scope`), per user or client IP."""
