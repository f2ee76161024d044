"""Limits shared by every chat interface: one turn at a time per conversation."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message
from chat.turn.limits import check_chat_rate
from chat.turn.start import start_turn
from core.errors import DomainError
from groq_emulator import Fault

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_second_message_waits_for_the_running_turn(user, emulator):
    first = await start_turn(user=user, text="hello")
    assert (await first.result()).status == "complete"
    emulator.push_fault(Fault(kind="slow", seconds=0.05))
    running = await start_turn(user=user, text="tell me a long story", conversation_id=first.conversation_id)
    with pytest.raises(DomainError) as busy:
        await start_turn(user=user, text="and another thing", conversation_id=first.conversation_id)
    assert busy.value.code == "turn_in_progress" and busy.value.status_code == 409
    running.stop()
    await running.result()
    # Released as soon as the turn ended: the next message goes straight through.
    after = await start_turn(user=user, text="hello again", conversation_id=first.conversation_id)
    assert (await after.result()).status == "complete"
    texts = await sync_to_async(list)(Message.objects.filter(role="user").values_list("content", flat=True))
    assert "and another thing" not in texts


async def test_other_conversations_are_not_blocked(user, emulator):
    emulator.push_fault(Fault(kind="slow", seconds=0.05))
    running = await start_turn(user=user, text="tell me a long story")
    other = await start_turn(user=user, text="hello")
    assert (await other.result()).status == "complete"
    running.stop()
    await asyncio.wait_for(running.result(), 5)


async def test_the_lock_follows_the_conversation_not_the_spelling_of_its_id(user, emulator):
    first = await start_turn(user=user, text="hello")
    await first.result()
    spelled = f"0{first.conversation_id}"
    again = await start_turn(user=user, text="hello", conversation_id=spelled)
    await again.result()
    # Released under the key it was taken with: the conversation is free, however it is named next.
    for conversation_id in (spelled, first.conversation_id):
        after = await start_turn(user=user, text="hello", conversation_id=conversation_id)
        assert (await after.result()).status == "complete"


def test_the_refusal_says_when_sending_works_again(user, settings):
    settings.CHAT_RATE_PER_MINUTE = 1
    check_chat_rate(user)
    with pytest.raises(DomainError) as refused:
        check_chat_rate(user)
    assert refused.value.code == "rate_limited" and refused.value.status_code == 429
    assert 1 <= refused.value.retry_after <= 60
    assert f"in {refused.value.retry_after} second" in refused.value.message
    assert refused.value.as_dict()["retry_after"] == refused.value.retry_after
