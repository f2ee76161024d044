"""The client's IP address, the one reading every throttle and the login lockout share.

Behind `settings.TRUSTED_PROXIES` proxies (DJANGO_TRUSTED_PROXIES), each of which appends the address it received
the request from to X-Forwarded-For, the client is the entry that many places from the right (the same rule as DRF's
NUM_PROXIES). With 0 (the default) X-Forwarded-For is ignored: anyone can send it, so rotating it buys nothing.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    candidate = hops[-min(proxies, len(hops))]
    # A proxy we trust wrote this entry, but a client can still put garbage there when fewer proxies than
    # configured were in the path: only an IP address counts (the lockout stores it in an IP column).
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
