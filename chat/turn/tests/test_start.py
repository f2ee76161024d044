"""Starting a turn from a synchronous caller's own thread (the REST API): the same turn, its message saved first,
and on PostgreSQL no crossing to the event loop and back before the model is called."""

import asyncio
import logging
import threading

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from chat.models import Message
from chat.tests.factories import ConversationFactory
from chat.turn import recording
from chat.turn import start as start_module
from chat.turn.limits import acquire_turn_lock, release_turn_lock
from chat.turn.start import start_turn_from_thread
from core.errors import DomainError
from groq_emulator import Reply

pytestmark = pytest.mark.django_db(transaction=True)

ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


async def _events(turn) -> list:
    async with asyncio.timeout(15):
        return [event async for event in turn.events()]


@pytest.mark.skipif(ON_SQLITE, reason="PostgreSQL only: on SQLite the hop goes to the database thread")
async def test_on_postgresql_the_callers_thread_saves_and_the_loop_starts_the_turn(
    user, emulator, monkeypatch
):
    emulator.push_reply(Reply(content="Hello there."))
    threads: dict[str, str] = {}
    saving = recording.save_user_message

    def save(*args, **kwargs):
        threads["save"] = threading.current_thread().name
        return saving(*args, **kwargs)

    async def crossing(**start):
        raise AssertionError("start_turn, through async_to_sync: two more crossings before the model")

    monkeypatch.setattr(recording, "save_user_message", save)
    monkeypatch.setattr(start_module, "start_turn", crossing)
    followed: list[str] = []

    def caller() -> object:
        threads["caller"] = threading.current_thread().name
        return start_turn_from_thread(
            user=user, text="hello", then=lambda t: followed.append(threading.current_thread().name)
        )

    turn = await sync_to_async(caller)()
    events = await _events(turn)

    assert threads["save"] == threads["caller"] != threading.current_thread().name
    assert followed == [threading.current_thread().name]  # `then` ran on the loop, once
    assert events[0].kind == "started" and events[-1].kind == "done"
    assert events[-1].content == "Hello there."
    assert await Message.objects.filter(conversation__owner=user, role="assistant").acount() == 1


async def test_a_follower_that_fails_is_logged_and_the_turn_still_answers(user, emulator, caplog):
    emulator.push_reply(Reply(content="Still answered."))

    def broken(turn) -> None:
        raise RuntimeError("a page stream that could not start")

    with caplog.at_level(logging.ERROR, logger="chat.turn.start"):
        turn = await sync_to_async(start_turn_from_thread)(user=user, text="hello", then=broken)
        events = await _events(turn)

    assert events[-1].kind == "done" and events[-1].content == "Still answered."
    assert any("Could not follow the turn" in r.getMessage() for r in caplog.records)


async def test_a_busy_conversation_refuses_before_anything_is_saved_or_started(user, emulator):
    conversation = await sync_to_async(ConversationFactory)(owner=user)
    await sync_to_async(acquire_turn_lock)(conversation.pk)  # a turn runs there (another tab, another worker)
    try:
        with pytest.raises(DomainError) as refused:
            await sync_to_async(start_turn_from_thread)(
                user=user, text="hello", conversation_id=conversation.pk
            )
    finally:
        await sync_to_async(release_turn_lock)(conversation.pk)

    assert refused.value.code == "turn_in_progress"
    assert await Message.objects.filter(conversation=conversation).acount() == 0
    assert emulator.requests_snapshot() == []  # the model was never called
