"""Dates, repeats, smart lists and undo end to end: the engine, the real groq SDK and the Groq-wire emulator over
HTTP (scripted calls, and the offline demo assistant reading plain English), with a frozen clock."""

import datetime as dt
import json

import pytest
import time_machine
from asgiref.sync import sync_to_async

from chat.turn.events import ToolCallFinished
from chat.turn.protocols import NATIVE, PROMPT
from chat.turn.start import start_turn
from groq_emulator import Reply, ToolCall
from tasks import selectors
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Thursday 26 November 2026, 20:00 UTC: already Friday 27 November, 05:00 in Tokyo.
INSTANT = dt.datetime(2026, 11, 26, 20, 0, tzinfo=dt.UTC)


@pytest.fixture(params=[NATIVE, PROMPT])
def mode(request):
    return request.param


@sync_to_async
def tasks_of(user, status="all") -> list[Task]:
    return list(selectors.task_list(owner=user, status=status).order_by("id"))


def script_add(emulator, mode: str, arguments: dict) -> None:
    """The model's next reply: one add_task call, natively or as a <TOOL_CALLS> block."""
    if mode == NATIVE:
        emulator.push_reply(Reply(tool_calls=[ToolCall("add_task", arguments)]))
    else:
        block = json.dumps({"tools": [{"name": "add_task", "params": arguments}]})
        emulator.push_reply(Reply(content=f"<TOOL_CALLS>{block}</TOOL_CALLS>"))


async def run(user, text, mode=NATIVE, conversation_id=None):
    turn = await start_turn(user=user, text=text, mode=mode, conversation_id=conversation_id)
    return await turn.result()


async def test_scripted_add_task_with_due_words_in_tokyo(emulator, tokyo, ticking_clock, mode):
    script_add(emulator, mode, {"title": "call mom", "due": "tomorrow 5pm"})
    result = await run(tokyo, "remind me to call mom tomorrow at 5pm", mode)
    [task] = await tasks_of(tokyo)
    assert (task.due_date, task.due_time) == (dt.date(2026, 11, 28), dt.time(17, 0))
    assert task.due_date.strftime("%A") == "Saturday"  # Friday in Tokyo already: tomorrow is Saturday
    [call] = result.tool_calls
    assert call["result"]["due_label"] == "Tomorrow, Saturday 28 November, 17:00"
    assert call["result"]["due_date"] == "2026-11-28"
    # The model's next request carries that result, and its answer echoes the label.
    assert "Tomorrow, Saturday 28 November, 17:00" in result.response
    prompt = emulator.requests_snapshot()[0]["messages"][0]["content"]
    assert "Today is Friday 27 November 2026 (Asia/Tokyo)." in prompt


async def test_an_unreadable_date_is_a_result_the_model_explains(emulator, tokyo, ticking_clock, mode):
    script_add(emulator, mode, {"title": "call mom", "due": "tomorrow blorp"})
    result = await run(tokyo, "call mom tomorrow blorp", mode)
    [call] = result.tool_calls
    assert call["result"]["error"] == "due_unparseable"
    assert "blorp" in result.response and "couldn't" in result.response
    assert await tasks_of(tokyo) == []


async def test_the_demo_assistant_adds_a_dated_task_from_plain_english(emulator, tokyo, ticking_clock, mode):
    result = await run(tokyo, "call mom tomorrow at 5pm", mode)
    [task] = await tasks_of(tokyo)
    assert (task.title, task.due_date, task.due_time) == ("call mom", dt.date(2026, 11, 28), dt.time(17, 0))
    assert result.tool_calls[0]["params"] == {"title": "call mom", "due": "tomorrow at 5pm"}
    assert "due Tomorrow, Saturday 28 November, 17:00" in result.response


async def test_the_demo_assistant_adds_several_tasks_with_details(emulator, tokyo, ticking_clock):
    await run(tokyo, "add milk, eggs and bread")
    await run(tokyo, "urgent: pay the electricity bill by dec 24")
    await run(tokyo, "water the plants every monday")
    tasks = await tasks_of(tokyo)
    assert [t.title for t in tasks] == [
        "milk",
        "eggs",
        "bread",
        "pay the electricity bill",
        "water the plants",
    ]
    bill, plants = tasks[3], tasks[4]
    assert (bill.priority, bill.due_date) == ("high", dt.date(2026, 12, 24))
    assert (plants.recurrence, plants.due_date) == ("FREQ=WEEKLY;BYDAY=MO", dt.date(2026, 11, 30))


async def test_smart_lists_from_plain_english(emulator, tokyo, ticking_clock):
    make = sync_to_async(TaskFactory)
    await make(owner=tokyo, title="Pay taxes", due_date=dt.date(2026, 11, 27), priority="high")
    await make(owner=tokyo, title="Old report", due_date=dt.date(2026, 11, 20))
    await make(owner=tokyo, title="Someday")
    today = await run(tokyo, "what's due today?")
    assert today.tool_calls[0]["params"] == {"status": "pending", "due": "today"}
    assert "Pay taxes" in today.response and "Old report" not in today.response
    overdue = await run(tokyo, "what's overdue")
    assert "Old report" in overdue.response and "overdue by 7 days" in overdue.response
    search = await run(tokyo, "find tasks about taxes")
    assert [t["title"] for t in search.tool_calls[0]["result"]["tasks"]] == ["Pay taxes"]


async def test_completing_a_recurring_task_then_undo_and_undo_a_delete(emulator, tokyo, ticking_clock):
    added = await run(tokyo, "add standup every friday")
    task_id = added.tool_calls[0]["result"]["task_id"]
    done = await run(tokyo, f"complete task {task_id}", conversation_id=added.conversation_id)
    result = done.tool_calls[0]["result"]
    assert result["next_task_id"] and result["next_due_date"] == "2026-12-04"
    assert f"#{result['next_task_id']}" in done.response
    undone = await run(tokyo, "undo", conversation_id=added.conversation_id)
    assert undone.tool_calls[0]["tool"] == "reopen_task" and undone.tool_calls[0]["params"] == {
        "task_id": task_id
    }
    deleted = await run(tokyo, f"delete task {task_id}", conversation_id=added.conversation_id)
    assert deleted.tool_calls[0]["result"]["status"] == "deleted"
    restored = await run(tokyo, "undo that delete", conversation_id=added.conversation_id)
    assert restored.tool_calls[0]["tool"] == "restore_task"
    assert task_id in [t.pk for t in await tasks_of(tokyo, "pending")]


async def test_small_talk_gets_a_short_answer_and_no_tool_call(emulator, tokyo):
    for text in ("thanks!", "how are you"):
        result = await run(tokyo, text)
        assert result.tool_calls == [] and len(result.response) < 200


async def test_every_tool_call_is_finished_with_a_result(emulator, tokyo, ticking_clock):
    turn = await start_turn(user=tokyo, text="add tasks: walk the dog and feed the cat", mode=NATIVE)
    events = [e async for e in turn.events()]
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [e.result["status"] for e in finished] == ["created", "created"]


async def test_each_users_prompt_names_their_own_today(emulator, user, other_user):
    """Two users in two zones at one instant: each prompt names that user's own day."""
    user.timezone, other_user.timezone = "Pacific/Kiritimati", "Pacific/Honolulu"  # UTC+14 and UTC-10
    await sync_to_async(user.save)()
    await sync_to_async(other_user.save)()
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC), tick=True):
        await run(user, "hi")
        await run(other_user, "hi")
    first, second = (r["messages"][0]["content"] for r in emulator.requests_snapshot())
    assert "Today is Friday 27 November 2026 (Pacific/Kiritimati)." in first
    assert "Today is Thursday 26 November 2026 (Pacific/Honolulu)." in second
