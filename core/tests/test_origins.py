"""core.origins: a websocket's Origin must match scheme, host and port of a page we serve."""

import pytest

from core.origins import origin_allowed, parse_origin

HOSTS = ["127.0.0.1", "localhost", "todo.example.com"]


@pytest.mark.parametrize(
    ("origin", "host", "scheme", "trusted", "allowed"),
    [
        # 1. same origin as the request, port included
        ("http://127.0.0.1:8000", "127.0.0.1:8000", "ws", [], True),
        ("https://127.0.0.1:8443", "127.0.0.1:8443", "wss", [], True),
        ("HTTP://LOCALHOST:8000", "localhost:8000", "ws", [], True),
        ("http://127.0.0.1:8000", "127.0.0.1:8000", "wss", [], False),  # scheme differs
        ("https://127.0.0.1:8000", "127.0.0.1:8000", "ws", [], False),
        ("http://localhost:3000", "127.0.0.1:8000", "ws", [], False),  # another dev server
        ("http://localhost:8000", "127.0.0.1:8000", "ws", [], False),  # another name, same port
        ("https://127.0.0.1", "127.0.0.1:8000", "ws", [], False),  # default port of a server on :8000
        ("http://127.0.0.1", "127.0.0.1:8000", "ws", [], False),
        ("http://127.0.0.1:8001", "127.0.0.1:8000", "ws", [], False),
        ("http://evil.example:8000", "evil.example:8000", "ws", [], False),  # DNS rebinding: not our host
        # 2. an allowed host on the default port, when the request arrived on one (a proxy in front)
        ("https://todo.example.com", "todo.example.com", "ws", [], True),
        ("http://todo.example.com", "todo.example.com", "ws", [], True),
        ("https://todo.example.com:443", "todo.example.com:443", "wss", [], True),
        ("https://todo.example.com:8443", "todo.example.com", "ws", [], False),
        ("https://evil.example", "todo.example.com", "ws", [], False),
        ("https://todo.example.com.evil.example", "todo.example.com", "ws", [], False),
        # 3. CSRF_TRUSTED_ORIGINS, exactly
        ("http://localhost:3000", "127.0.0.1:8000", "ws", ["http://localhost:3000"], True),
        ("https://localhost:3000", "127.0.0.1:8000", "ws", ["http://localhost:3000"], False),
        ("http://localhost:3001", "127.0.0.1:8000", "ws", ["http://localhost:3000"], False),
        ("https://app.example.org", "127.0.0.1:8000", "ws", ["https://*.example.org"], True),
        ("https://example.org.evil.test", "127.0.0.1:8000", "ws", ["https://*.example.org"], False),
        ("https://app.example.org:8443", "127.0.0.1:8000", "ws", ["https://*.example.org"], False),
        # never
        (None, "127.0.0.1:8000", "ws", [], False),
        ("null", "127.0.0.1:8000", "ws", [], False),
        ("file://", "127.0.0.1:8000", "ws", [], False),
        ("ftp://127.0.0.1", "127.0.0.1", "ws", [], False),
        ("http://user@127.0.0.1:8000", "127.0.0.1:8000", "ws", [], False),
        ("http://127.0.0.1:99999", "127.0.0.1:8000", "ws", [], False),
        ("http://127.0.0.1:8000/path", "127.0.0.1:8000", "ws", [], False),
    ],
)
def test_origins(origin, host, scheme, trusted, allowed):
    assert origin_allowed(origin, host=host, scheme=scheme, hosts=HOSTS, trusted_origins=trusted) is allowed


def test_ipv6_same_origin():
    assert origin_allowed("http://[::1]:8000", host="[::1]:8000", hosts=["[::1]"], trusted_origins=[])
    assert not origin_allowed("http://[::1]:3000", host="[::1]:8000", hosts=["[::1]"], trusted_origins=[])


def test_without_a_host_header_only_default_ports_of_allowed_hosts():
    assert origin_allowed("http://localhost", host=None, hosts=HOSTS, trusted_origins=[])
    assert not origin_allowed("http://localhost:3000", host=None, hosts=HOSTS, trusted_origins=[])


def test_parse_origin_normalises():
    assert parse_origin("HTTPS://Todo.Example.com.") == parse_origin("https://todo.example.com:443")
