"""Django's HTTP side through the real ASGI application (config.asgi): the whole middleware chain still applies,
entered once per request (core.asgi_handler), and an event stream still streams."""

import json
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator
from django.conf import settings
from django.core.signals import request_started
from django.utils.module_loading import import_string

from chat.models import Conversation
from core.asgi_handler import RequestThreads
from users.tokens import token_create

application = import_string(settings.ASGI_APPLICATION)
HOST = [(b"host", b"testserver")]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


async def _streamed(communicator: HttpCommunicator) -> dict:
    """Like HttpCommunicator.get_response, for a body whose last message carries no `body` (allowed by ASGI)."""
    await communicator.send_input({"type": "http.request", "body": communicator.body})
    response = await communicator.receive_output(timeout=30)
    response["body"] = b""
    while True:
        chunk = await communicator.receive_output(timeout=30)
        response["body"] += chunk.get("body", b"")
        if not chunk.get("more_body", False):
            return response


def _sse_chat(token: str) -> HttpCommunicator:
    body = json.dumps({"message": "hello there"}).encode()
    headers = HOST + [
        (b"content-length", str(len(body)).encode()),
        (b"authorization", f"Bearer {token}".encode()),
        (b"accept", b"text/event-stream"),
        (b"content-type", b"application/json"),
    ]
    return HttpCommunicator(application, "POST", "/api/chat/", body=body, headers=headers)


def _headers(response: dict) -> dict[bytes, list[bytes]]:
    found: dict[bytes, list[bytes]] = {}
    for name, value in response["headers"]:
        found.setdefault(name.lower(), []).append(value)
    return found


async def test_a_page_gets_every_middleware(db):
    response = await HttpCommunicator(application, "GET", "/accounts/login/", headers=HOST).get_response(
        timeout=10
    )

    headers = _headers(response)
    assert response["status"] == 200
    assert headers[b"x-frame-options"] == [b"DENY"]  # clickjacking middleware, on the way out
    assert any(c.startswith(b"csrftoken=") for c in headers[b"set-cookie"])  # the CSRF middleware
    assert b'name="csrfmiddlewaretoken"' in response["body"]


async def test_a_static_file_is_served_before_the_rest_of_the_chain(db):
    response = await HttpCommunicator(
        application, "GET", "/static/does-not-exist.css", headers=HOST
    ).get_response(timeout=10)
    assert response["status"] == 404


async def test_a_chat_reply_streams_as_server_sent_events(user, emulator):
    _, token = await sync_to_async(token_create)(user=user)
    response = await _streamed(_sse_chat(token))

    assert response["status"] == 200, response["body"]
    assert _headers(response)[b"content-type"] == [b"text/event-stream"]
    events = [json.loads(line[6:]) for line in response["body"].decode().splitlines() if line[:6] == "data: "]
    assert events[0]["type"] == "started" and events[-1]["type"] == "done"
    assert "".join(e["text"] for e in events if e["type"] == "text").strip() == events[-1]["content"]
    assert await Conversation.objects.filter(owner=user).acount() == 1


async def test_requests_one_after_another_reuse_one_thread(db):
    from config.asgi import django_asgi_app

    threads: list[int] = []

    def record(**kwargs):
        threads.append(threading.get_ident())

    request_started.connect(record)
    try:
        for _ in range(3):
            communicator = HttpCommunicator(django_asgi_app, "GET", "/accounts/login/", headers=HOST)
            response = await communicator.get_response(timeout=10)
            assert response["status"] == 200
            await communicator.wait(timeout=10)  # the request is over (its thread given back)
    finally:
        request_started.disconnect(record)

    assert len(threads) == 3 and len(set(threads)) == 1  # one thread (and its connection) served all three
    assert threads[0] != threading.get_ident()  # never the event loop's


def test_request_threads_are_taken_one_per_request_and_kept_while_idle():
    threads = RequestThreads(keep=1)
    first, second = threads.take(), threads.take()
    assert first is not second  # two requests at once: two threads

    threads.give_back(first)
    threads.give_back(second)  # over the number kept: shut down

    assert threads.idle == 1 and threads.take() is first
    with pytest.raises(RuntimeError):
        second.submit(lambda: None)
    first.shutdown()


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite only: on PostgreSQL the hop stays on the request's thread (chat.turn.hop_context)",
)
async def test_a_rest_turn_saves_on_the_same_thread_as_the_rest_of_its_hops(user, emulator, monkeypatch):
    """Not on the request's own thread: on SQLite two writer threads fight for the file lock with sleeping
    retries (tens to hundreds of milliseconds under load)."""
    from chat.turn import recording

    threads: dict[str, str] = {}
    for name in ("save_user_message", "end_turn"):
        real = getattr(recording, name)

        def recorded(*args, _name=name, _real=real, **kwargs):
            threads[_name] = threading.current_thread().name
            return _real(*args, **kwargs)

        monkeypatch.setattr(recording, name, recorded)
    _, token = await sync_to_async(token_create)(user=user)

    response = await _streamed(_sse_chat(token))

    assert response["status"] == 200
    assert threads["save_user_message"] == threads["end_turn"]
    assert not threads["save_user_message"].startswith("request")


async def test_a_request_cut_short_closes_its_connections_on_its_own_thread(db, monkeypatch):
    """Closed (on PostgreSQL: back to the pool) when the request ends, even without request_finished: its thread
    waits idle for the next request."""
    from django.core.handlers import asgi as django_asgi

    from config.asgi import django_asgi_app
    from core import asgi_handler

    threads: dict[str, int] = {}

    async def cut_short(self, scope, receive, send):  # reached the database, then the client left
        threads["request"] = await sync_to_async(threading.get_ident)()

    def closing():
        threads["closed"] = threading.get_ident()

    monkeypatch.setattr(django_asgi.ASGIHandler, "handle", cut_short)
    monkeypatch.setattr(asgi_handler, "close_old_connections", closing)
    await django_asgi_app({"type": "http", "method": "GET", "path": "/", "headers": HOST}, None, None)

    assert threads["closed"] == threads["request"] != threading.get_ident()
