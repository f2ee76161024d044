"""The chat websocket and the login session it was opened with: origins (scheme, host and port), logout closes it,
a session that is gone cannot start a turn, and text the browser cannot have meant gets a notice."""

import asyncio
import json

import pytest
from autobahn.exception import Disconnected
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils.module_loading import import_string

from chat.models import Message
from chat.web.consumers import CLOSE_UNAUTHENTICATED
from tasks import services

from .test_consumers import collect_quietly, frames_until, session_headers

application = import_string(settings.ASGI_APPLICATION)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def socket_headers(client: Client, origin: bytes | None = b"http://testserver", host: bytes | None = None):
    headers = [(b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]
    headers += [(b"origin", origin)] if origin else []
    return headers + ([(b"host", host)] if host else [])


async def open_socket(user, **kwargs):
    client = await database_sync_to_async(logged_in_client)(user)
    communicator = WebsocketCommunicator(application, "/ws/chat/", headers=socket_headers(client, **kwargs))
    connected, _ = await communicator.connect()
    return client, communicator, connected


# --- Origins: the real stack, served from 127.0.0.1:8000 ---------------------------------------------------------
@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        (b"http://127.0.0.1:8000", True),
        (b"http://localhost:3000", False),
        (b"https://127.0.0.1", False),
        (b"http://127.0.0.1", False),
        (b"https://127.0.0.1:8000", False),
        (b"http://evil.example:8000", False),
        (None, False),
    ],
)
async def test_only_the_pages_own_origin_may_open_the_socket(user, origin, accepted):
    _, communicator, connected = await open_socket(user, origin=origin, host=b"127.0.0.1:8000")

    assert connected is accepted
    await communicator.disconnect()


async def test_a_trusted_origin_may_open_the_socket(user, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["http://localhost:3000"]

    _, communicator, connected = await open_socket(
        user, origin=b"http://localhost:3000", host=b"127.0.0.1:8000"
    )

    assert connected
    await communicator.disconnect()


# --- The session ---------------------------------------------------------------------------------------------
async def expect_signed_out(communicator) -> str:
    frame = await communicator.receive_from(timeout=5)
    assert "You have been signed out" in frame and 'role="alert"' in frame
    assert await communicator.receive_output(timeout=5) == {
        "type": "websocket.close",
        "code": CLOSE_UNAUTHENTICATED,
    }
    return frame


async def test_logging_out_closes_the_sockets_of_that_session_only(user, emulator):
    client, communicator, _ = await open_socket(user)
    _, other_tab_elsewhere, _ = await open_socket(user)  # another login of the same user

    response = await database_sync_to_async(client.post)("/accounts/logout/")

    assert response.status_code == 302
    await expect_signed_out(communicator)
    assert await other_tab_elsewhere.receive_nothing(timeout=0.3)
    await other_tab_elsewhere.disconnect()


async def test_a_socket_whose_session_is_gone_cannot_start_a_turn(user, emulator):
    _, communicator, _ = await open_socket(user)
    await database_sync_to_async(Session.objects.all().delete)()  # expired, flushed, logged out elsewhere…

    await communicator.send_json_to({"message": "add a task to buy milk", "conversation_id": ""})

    frame = await expect_signed_out(communicator)
    assert "add a task to buy milk" in frame  # the draft comes back
    assert await database_sync_to_async(Message.objects.count)() == 0
    assert emulator.requests_snapshot() == []


async def test_a_password_changed_since_the_socket_opened_stops_its_turns(user, emulator):
    _, communicator, _ = await open_socket(user)

    def change_password():
        user.set_password("a-brand-new-password-2026")
        user.save()

    await database_sync_to_async(change_password)()
    await communicator.send_json_to({"message": "add a task to buy milk", "conversation_id": ""})

    await expect_signed_out(communicator)
    assert await database_sync_to_async(Message.objects.count)() == 0


async def test_a_socket_whose_session_is_gone_cannot_regenerate_or_edit(user, emulator):
    _, communicator, _ = await open_socket(user)
    await communicator.send_json_to({"message": "hello", "conversation_id": ""})
    await frames_until(communicator)  # the turn is over
    await collect_quietly(communicator)
    question = await database_sync_to_async(Message.objects.get)(role="user")
    before = await database_sync_to_async(lambda: sorted(Message.objects.values_list("pk", "replaced_at")))()
    await database_sync_to_async(Session.objects.all().delete)()

    await communicator.send_json_to(
        {"action": "regenerate", "message_id": question.pk, "conversation_id": question.conversation_id}
    )

    await expect_signed_out(communicator)
    after = await database_sync_to_async(lambda: sorted(Message.objects.values_list("pk", "replaced_at")))()
    assert after == before and len(emulator.requests_snapshot()) == 1  # nothing replaced, no model call


async def test_the_session_check_shares_the_turns_first_database_hop(user, emulator, monkeypatch):
    """One hop before the model: the session check runs inside the hop that saves the message."""
    from channels import db

    hops = []
    init = db.DatabaseSyncToAsync.__init__

    def recording(self, func, *args, **kwargs):
        hops.append(getattr(func, "__name__", repr(func)))
        init(self, func, *args, **kwargs)

    _, communicator, _ = await open_socket(user)
    monkeypatch.setattr(db.DatabaseSyncToAsync, "__init__", recording)
    await communicator.send_json_to({"message": "add a task to buy milk", "conversation_id": ""})
    while "typing" not in await communicator.receive_from(timeout=10):
        pass

    assert hops[0] == "save_user_message"
    assert "session_user_id" not in hops and "require_session" not in hops
    await communicator.disconnect()


# --- Text that cannot be read ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [
        '{"message": "milk \\ud800", "conversation_id": ""}',  # a lone surrogate escaped in the JSON
        '{"message": "ok", "conversation_id": "", "x": "\\udfff"}',
        "\ud800",  # a lone surrogate in the frame itself
    ],
    ids=["in-message", "in-another-field", "raw"],
)
async def test_undecodable_text_gets_a_notice_and_the_socket_goes_on(user, emulator, raw):
    _, communicator, _ = await open_socket(user)

    await communicator.send_to(text_data=raw)
    notice = await communicator.receive_from(timeout=5)
    await communicator.send_to(
        text_data=json.dumps({"message": "add a task to buy milk", "conversation_id": ""})
    )
    following = await communicator.receive_from(timeout=10)

    assert 'role="alert"' in notice and ("cannot be sent" in notice or "could not be read" in notice)
    assert "You asked" in following or "buy milk" in following  # the next message starts a turn as usual
    await communicator.disconnect()


async def test_a_frame_to_a_client_that_already_vanished_is_dropped_and_the_consumer_lives_on(user):
    """daphne raises autobahn's Disconnected for a send after the TCP connection closed but before it delivers
    websocket.disconnect; the frame is dropped (as any frame after a disconnect is) instead of failing the
    consumer with a logged traceback."""
    gone = asyncio.Event()

    async def server_whose_client_left(scope, receive, send):
        async def guarded(message):
            if gone.is_set() and message["type"] == "websocket.send":
                raise Disconnected("Attempt to send on a closed protocol")
            await send(message)

        await application(scope, receive, guarded)

    headers = await database_sync_to_async(session_headers)(user)
    tab = WebsocketCommunicator(server_whose_client_left, "/ws/chat/", headers=headers)
    assert (await tab.connect())[0]
    gone.set()

    await database_sync_to_async(services.task_create)(owner=user, title="Changed while leaving")
    await asyncio.sleep(0.5)  # the tasks_changed broadcast reached the consumer, whose send raised

    assert not tab.future.done(), tab.future.exception() if tab.future.done() else None
    await tab.disconnect()
