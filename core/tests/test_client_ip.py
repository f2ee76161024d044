"""core.client_ip: X-Forwarded-For counts only behind DJANGO_TRUSTED_PROXIES proxies; every throttle uses it."""

import pytest
from django.test import RequestFactory
from rest_framework.settings import api_settings

from core.client_ip import client_ip
from core.throttling import ScopedRateThrottle, UserRateThrottle


def request(xff: str | None = None, remote: str = "192.0.2.1"):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "xff", "expected"),
    [
        (0, None, "192.0.2.1"),
        (0, "203.0.113.9", "192.0.2.1"),  # nobody trusted: the header is anyone's to write
        (1, None, "192.0.2.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own prefix is ignored
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "203.0.113.9"),  # fewer hops than proxies: the leftmost
        (1, "not-an-ip", "192.0.2.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxies, xff, expected):
    settings.TRUSTED_PROXIES = proxies

    assert client_ip(request(xff)) == expected


@pytest.mark.parametrize("throttle", [UserRateThrottle, ScopedRateThrottle])
def test_throttles_identify_clients_with_it(settings, throttle):
    settings.TRUSTED_PROXIES = 0

    assert throttle().get_ident(request("203.0.113.9")) == "192.0.2.1"


def test_drf_is_told_the_same_number_of_proxies(settings):
    assert api_settings.NUM_PROXIES == settings.TRUSTED_PROXIES
    assert list(api_settings.DEFAULT_THROTTLE_CLASSES) == [UserRateThrottle]
