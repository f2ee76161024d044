"""Which pages may open our websockets: the Origin must match scheme, host and port of one we serve.

An Origin is accepted when it equals one of:
    1. the request's own origin: the scheme of the socket (ws → http, wss → https) and the exact `Host` header,
       port included, when that host is in ALLOWED_HOSTS (a page served by this very server);
    2. `http(s)://<a host in ALLOWED_HOSTS>` on the scheme's default port, but only when the request itself
       arrived without a port or on a default one (a proxy or TLS terminator in front). A development server on
       :8000 does not trust whatever else answers on :80 or :443 of the same name;
    3. an entry of CSRF_TRUSTED_ORIGINS (`https://*.example.com` matches subdomains), scheme and port included.
A missing Origin, a Host we do not serve, or anything else is refused (Channels' handshake refusal, HTTP 403).
Channels' AllowedHostsOriginValidator checks the host name only: `http://localhost:3000` passed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}
SOCKET_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str  # lower-case, IPv6 without brackets, no trailing dot
    port: int


def parse_origin(value: str) -> Origin | None:
    """`scheme://host[:port]` with http(s), or None (including `null` and anything with a path or user info)."""
    try:
        url = urlsplit(value.strip())
        port = url.port
    except ValueError:
        return None
    if url.scheme not in DEFAULT_PORTS or not url.hostname or url.username or url.password:
        return None
    if url.path not in ("", "/") or url.query or url.fragment:
        return None
    return Origin(url.scheme, url.hostname.rstrip("."), port or DEFAULT_PORTS[url.scheme])


def allowed_hosts() -> list[str]:
    if settings.DEBUG and not settings.ALLOWED_HOSTS:  # Django's own fallback
        return [".localhost", "127.0.0.1", "[::1]"]
    return settings.ALLOWED_HOSTS


def _host_allowed(host: str, hosts: list[str]) -> bool:
    return validate_host(f"[{host}]" if ":" in host else host, hosts)


def _trusted(origin: Origin, entry: str) -> bool:
    wildcard = "://*." in entry
    trusted = parse_origin(entry.replace("://*.", "://", 1))
    if trusted is None or (trusted.scheme, trusted.port) != (origin.scheme, origin.port):
        return False
    return origin.host.endswith("." + trusted.host) if wildcard else origin.host == trusted.host


def origin_allowed(
    origin: str | None,
    *,
    host: str | None,
    scheme: str = "ws",
    hosts: list[str] | None = None,
    trusted_origins: list[str] | None = None,
) -> bool:
    """Whether a socket request with this Origin and Host headers (and scope scheme) may go on."""
    parsed = parse_origin(origin) if origin else None
    if parsed is None:
        return False
    hosts = allowed_hosts() if hosts is None else hosts
    trusted_origins = settings.CSRF_TRUSTED_ORIGINS if trusted_origins is None else trusted_origins
    request_port: int | None = None
    if host:  # absent only from hand-built ASGI scopes; every HTTP/1.1 client sends one
        domain, port = split_domain_port(host)
        if not domain or not validate_host(domain, hosts):
            return False  # a name we do not serve (DNS rebinding): nothing from it is same-origin
        request_scheme = SOCKET_SCHEMES.get(scheme, "http")
        request_port = int(port) if port else None
        same = Origin(request_scheme, domain.strip("[]"), request_port or DEFAULT_PORTS[request_scheme])
        if parsed == same:
            return True
    behind_default_port = request_port in (None, *DEFAULT_PORTS.values())
    if (
        behind_default_port
        and parsed.port == DEFAULT_PORTS[parsed.scheme]
        and _host_allowed(parsed.host, hosts)
    ):
        return True
    return any(_trusted(parsed, entry) for entry in trusted_origins)


class StrictOriginValidator:
    """ASGI middleware for websockets: refuses the handshake unless `origin_allowed`."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            headers = dict(scope.get("headers") or [])
            origin, host = headers.get(b"origin"), headers.get(b"host")
            if not origin_allowed(
                origin.decode("latin-1") if origin is not None else None,
                host=host.decode("latin-1") if host is not None else None,
                scheme=scope.get("scheme", "ws"),
            ):
                return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
