"""What hostile or broken model output does: every turn still ends with exactly one terminal event and a saved,
visible state, and the conversation keeps working afterwards. Faults come from the Groq-wire emulator."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.db import OperationalError

from chat.models import Message
from chat.turn import recording
from chat.turn.events import ToolCallFinished, TurnDone, TurnFailed
from chat.turn.start import start_turn
from groq_emulator import Fault, Reply, ToolCall
from tasks.models import Task

pytestmark = pytest.mark.django_db(transaction=True)


async def collect(turn) -> list:
    async with asyncio.timeout(15):
        events = [event async for event in turn.events()]
    assert [e.terminal for e in events].count(True) == 1 and events[-1].terminal
    return events


@sync_to_async
def transcript(conversation_id: int) -> list[Message]:
    return list(Message.objects.filter(conversation_id=conversation_id).order_by("created_at", "id"))


async def follow_up_works(user, conversation_id, emulator) -> None:
    """A plain turn in the same conversation afterwards: the history is still one the API accepts."""
    emulator.push_reply(Reply(content="Still here."))
    events = await collect(await start_turn(user=user, text="are you ok?", conversation_id=conversation_id))
    assert isinstance(events[-1], TurnDone) and events[-1].content == "Still here.", events[-1]


async def test_a_stream_cut_cleanly_is_partial_not_complete(emulator, user):
    emulator.push_fault(Fault(kind="cut", after_chunks=30))
    turn = await start_turn(user=user, text="tell me a long story")
    failed = (await collect(turn))[-1]

    assert isinstance(failed, TurnFailed) and failed.code == "upstream_cut" and failed.http_status == 502
    answer = (await transcript(turn.conversation_id))[-1]
    assert (answer.status, answer.error_code) == ("partial", "upstream_cut")
    assert answer.content and answer.content == failed.partial_content
    await follow_up_works(user, turn.conversation_id, emulator)


async def test_a_stream_missing_only_its_final_chunk_is_cut(emulator, user):
    emulator.push_fault(Fault(kind="cut"))  # everything but finish_reason and [DONE]
    failed = (await collect(await start_turn(user=user, text="hello")))[-1]
    assert isinstance(failed, TurnFailed) and failed.code == "upstream_cut"


async def test_the_length_limit_keeps_the_reply_and_says_so(emulator, user):
    emulator.push_reply(Reply(content="Once upon a time there was a", finish_reason="length"))
    turn = await start_turn(user=user, text="tell me a story")
    done = (await collect(turn))[-1]

    assert isinstance(done, TurnDone) and done.status == "partial"
    assert done.content == "Once upon a time there was a" and "length limit" in done.notice
    answer = (await transcript(turn.conversation_id))[-1]
    assert (answer.status, answer.error_code) == ("partial", "max_tokens")


@pytest.mark.parametrize("bad", ["\ud800", "\x00", "\udfff\x00"])
async def test_surrogates_and_nul_from_the_model_are_cleaned(emulator, user, client, bad):
    emulator.push_reply(
        Reply(
            reasoning=f"think{bad}ing",
            tool_calls=[ToolCall("add_task", json.dumps({"title": f"milk{bad}"}, ensure_ascii=True))],
        )
    )
    emulator.push_reply(Reply(content=f"Added{bad} it."))
    turn = await start_turn(user=user, text="add milk")
    events = await collect(turn)

    assert isinstance(events[-1], TurnDone), events[-1]
    stored = await transcript(turn.conversation_id)
    for message in stored:
        for text in (message.content, message.reasoning, json.dumps(message.tool_calls)):
            assert "\x00" not in text and "\ud800" not in text and "\udfff" not in text
            text.encode("utf-8")
    [task] = await sync_to_async(list)(Task.objects.filter(owner=user))
    assert "\x00" not in task.title and task.title.startswith("milk")
    await sync_to_async(client.force_login)(user)
    page = await sync_to_async(client.get)(f"/c/{turn.conversation_id}/")
    assert page.status_code == 200


async def test_a_surrogate_in_a_tool_name_and_overlong_names_and_ids(emulator, user):
    emulator.push_reply(
        Reply(
            tool_calls=[
                ToolCall("add_task\ud800", {"title": "a"}),
                ToolCall("x" * 300, {"title": "b"}),
                ToolCall("add_task", {"title": "c"}, id="i" * 500),
                ToolCall("add_task", {"title": "d"}, id="i" * 500),  # a repeated id too
            ]
        )
    )
    emulator.push_reply(Reply(content="Done."))
    turn = await start_turn(user=user, text="add things")
    events = await collect(turn)

    results = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [r.result.get("error") for r in results] == ["unknown_tool", "unknown_tool", None, None]
    assert len({r.call_id for r in results}) == 4 and all(len(r.call_id) <= 100 for r in results)
    assert isinstance(events[-1], TurnDone)
    for message in await transcript(turn.conversation_id):
        assert len(message.tool_name) <= 64 and len(message.tool_call_id) <= 100
    await follow_up_works(user, turn.conversation_id, emulator)


async def test_fan_out_is_capped_per_turn(emulator, user, settings):
    settings.AGENT_MAX_TOOL_CALLS = 10
    emulator.push_reply(Reply(tool_calls=[ToolCall("add_task", {"title": f"t{n}"}) for n in range(25)]))
    emulator.push_reply(Reply(content="Added what I could."))
    events = await collect(await start_turn(user=user, text="add 25 tasks"))

    results = [e.result for e in events if isinstance(e, ToolCallFinished)]
    assert len(results) == 25
    assert sum("task_id" in r for r in results) == 10
    assert [r["error"] for r in results[10:]] == ["too_many_tool_calls"] * 15
    assert await sync_to_async(Task.objects.filter(owner=user).count)() == 10


async def test_oversized_arguments_are_refused_and_stored_truncated(emulator, user, settings):
    settings.AGENT_TOOL_ARGUMENTS_MAX_CHARS = 1000
    huge = json.dumps({"title": "x", "description": "y" * 20_000})
    emulator.push_reply(Reply(tool_calls=[ToolCall("add_task", huge)]))
    emulator.push_reply(Reply(content="That was too much."))
    turn = await start_turn(user=user, text="add a huge task")
    events = await collect(turn)

    [result] = [e for e in events if isinstance(e, ToolCallFinished)]
    assert result.result["error"] == "arguments_too_large" and result.params == {}
    call_row = next(m for m in await transcript(turn.conversation_id) if m.tool_calls)
    assert len(call_row.tool_calls[0]["arguments"]) <= 1001
    assert not await sync_to_async(Task.objects.filter(owner=user).exists)()


async def test_a_final_round_that_still_asks_for_tools_answers_in_words(emulator, user, settings):
    settings.AGENT_MAX_TOOL_ROUNDS = 1
    emulator.push_reply(Reply(tool_calls=[ToolCall("list_tasks", {})]))
    emulator.push_reply(Reply(tool_calls=[ToolCall("list_tasks", {})]))  # ignores tool_choice "none"
    done = (await collect(await start_turn(user=user, text="list forever")))[-1]
    assert isinstance(done, TurnDone) and done.content.strip()


async def test_a_failing_database_write_in_a_tool_round_still_ends_the_turn(emulator, user, monkeypatch):
    def broken(self, finished):
        raise OperationalError("database is locked")

    monkeypatch.setattr(recording.TurnRecorder, "tool_results", broken)
    emulator.push_reply(Reply(tool_calls=[ToolCall("add_task", {"title": "milk"})]))
    turn = await start_turn(user=user, text="add milk")
    failed = (await collect(turn))[-1]

    assert isinstance(failed, TurnFailed) and failed.code == "internal_error"
    monkeypatch.undo()
    # The call row has no stored result, yet the next request answers it (as "interrupted").
    await follow_up_works(user, turn.conversation_id, emulator)
    sent = emulator.requests_snapshot()[-1]["messages"]
    call_id = next(m for m in sent if m.get("tool_calls"))["tool_calls"][0]["id"]
    answer = next(m for m in sent if m.get("role") == "tool" and m["tool_call_id"] == call_id)
    assert json.loads(answer["content"])["error"] == "interrupted"


async def test_when_even_the_error_cannot_be_saved_the_listener_hears_the_end(emulator, user, monkeypatch):
    def broken(self, **fields):
        raise OperationalError("database is locked")

    monkeypatch.setattr(recording.TurnRecorder, "interrupted", broken)
    emulator.push_fault(Fault(kind="status", status=503))
    failed = (await collect(await start_turn(user=user, text="hello")))[-1]
    assert (
        isinstance(failed, TurnFailed) and failed.message_id is None and failed.code == "upstream_unavailable"
    )
