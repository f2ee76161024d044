"""The turn's database side: its end (lock, usage, news) runs once, in the answer's own hop when the turn answers."""

import asyncio
import logging

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message, UsageDay
from chat.turn import recording
from chat.turn.limits import turn_running
from chat.turn.start import start_turn
from groq_emulator import Fault, Reply

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def usage_turns(user) -> list[int]:
    return list(UsageDay.objects.filter(user=user).values_list("turns", flat=True))


async def test_an_answered_turn_ends_in_the_answers_hop(user, emulator, engine_hops):
    emulator.push_reply(Reply(content="Done."))

    turn = await start_turn(user=user, text="hello")
    async with asyncio.timeout(15):
        events = [event async for event in turn.events()]

    assert events[-1].kind == "done"
    assert engine_hops == ["save_user_message", "answer"]  # no third hop for the lock, usage and news
    # By the time the user sees the end, the conversation is free and the turn counted.
    assert not await sync_to_async(turn_running)(turn.conversation_id)
    assert await usage_turns(user) == [1]


async def test_a_stopped_turn_still_ends_once_on_its_own_hop(user, emulator, engine_hops):
    emulator.push_fault(Fault(kind="slow", seconds=0.05))  # a reply of many seconds

    turn = await start_turn(user=user, text="tell me a long story")
    async with asyncio.timeout(15):
        async for event in turn.events():
            if event.kind == "text":
                turn.stop()

    assert engine_hops == ["save_user_message", "interrupted", "TurnEnd"]
    assert not await sync_to_async(turn_running)(turn.conversation_id)
    assert await usage_turns(user) == [1]


async def test_an_end_that_fails_in_the_answers_hop_loses_no_answer(user, emulator, monkeypatch, caplog):
    emulator.push_reply(Reply(content="Saved anyway."))

    def broken_end(**kwargs):
        raise RuntimeError("the cache is down")

    monkeypatch.setattr(recording, "end_turn", broken_end)
    turn = await start_turn(user=user, text="hello")
    with caplog.at_level(logging.ERROR, logger="chat.turn.recording"):
        async with asyncio.timeout(15):
            events = [event async for event in turn.events()]

    assert events[-1].kind == "done" and events[-1].content == "Saved anyway."
    saved = await sync_to_async(Message.objects.get)(pk=events[-1].message_id)
    assert saved.content == "Saved anyway."
    assert "Could not end the turn" in caplog.text


def test_the_end_runs_once_however_often_it_is_called(user):
    message, _ = recording.save_user_message(user, None, "hello")
    end = recording.TurnEnd(user.pk, message, "turn-1")

    end({"prompt_tokens": 5, "completion_tokens": 1})
    end({"prompt_tokens": 5, "completion_tokens": 1})

    assert end.done
    row = UsageDay.objects.get(user=user)
    assert (row.turns, row.prompt_tokens) == (1, 5)
    assert not turn_running(message.conversation_id)
