"""One chat turn end to end: the engine drives the real groq SDK against the Groq-wire emulator over HTTP."""

import asyncio
import json
import time

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from chat.models import Conversation, Message
from chat.tests.factories import ConversationFactory
from chat.turn.events import ToolCallFinished, ToolCallStarted, TurnDone, TurnFailed, TurnStarted
from chat.turn.protocols import NATIVE, PROMPT
from chat.turn.start import start_turn
from chat.turn.tools import tool_schemas
from core.errors import DomainError
from groq_emulator import Fault, Reply, ToolCall
from tasks import selectors
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db(transaction=True)

MODES = [NATIVE, PROMPT]


@pytest.fixture(params=MODES)
def mode(request):
    return request.param


async def collect(turn) -> list:
    async with asyncio.timeout(15):
        return [event async for event in turn.events()]


def kinds(events) -> list[str]:
    """Event kinds without reasoning, consecutive text deltas merged into one "text"."""
    out: list[str] = []
    for e in events:
        if e.kind == "reasoning" or (e.kind == "text" and out and out[-1] == "text"):
            continue
        out.append(e.kind)
    return out


@sync_to_async
def transcript(conversation_id: int) -> list[Message]:
    return list(Message.objects.filter(conversation_id=conversation_id).order_by("created_at", "id"))


@sync_to_async
def tasks_of(user, status="all") -> list[Task]:
    return list(selectors.task_list(owner=user, status=status))


@sync_to_async
def make_tasks(owner, *titles: str, **fields) -> list[Task]:
    return [TaskFactory(owner=owner, title=title, **fields) for title in titles]


@sync_to_async
def reload(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


def chat_requests(emulator) -> list[dict]:
    return emulator.requests_snapshot()


# --- The simple case ---------------------------------------------------------------------------------------
async def test_add_a_task_end_to_end(emulator, user, other_user, mode):
    turn = await start_turn(user=user, text="add a task to buy milk", mode=mode)
    events = await collect(turn)

    expected = ["started", "tool_call", "tool_result", "text", "done"]
    if mode == PROMPT:  # the words before the block stream out; the block itself never does
        expected = ["started", "text", "tool_call", "tool_result", "text", "done"]
    assert kinds(events) == expected
    started, done = events[0], events[-1]
    assert isinstance(started, TurnStarted) and started.conversation_id == turn.conversation_id
    assert started.offline_demo is False
    call = next(e for e in events if isinstance(e, ToolCallStarted))
    result = next(e for e in events if isinstance(e, ToolCallFinished))
    assert (call.name, call.params) == ("add_task", {"title": "buy milk"})
    assert result.call_id == call.call_id and result.ok

    [task] = await tasks_of(user)
    assert task.title == "buy milk"
    assert result.result == {
        "task_id": task.pk,
        "status": "created",
        "title": "buy milk",
        **{"due_date": None, "due_time": None, "due_label": None, "priority": "none", "repeat": None},
    }
    assert await tasks_of(other_user) == []

    streamed = "".join(e.text for e in events if e.kind == "text")
    assert "TOOL_CALLS" not in streamed.upper()
    assert isinstance(done, TurnDone) and done.status == "complete"
    assert "buy milk" in done.content and f"#{task.pk}" in done.content
    assert done.usage["prompt_tokens"] > 0 and done.usage["completion_tokens"] > 0

    user_msg, tool_round, tool_msg, answer = await transcript(turn.conversation_id)
    assert (user_msg.role, user_msg.content, user_msg.pk) == (
        "user",
        "add a task to buy milk",
        started.user_message_id,
    )
    assert tool_round.role == "assistant"
    assert [(c["id"], c["name"]) for c in tool_round.tool_calls] == [(call.call_id, "add_task")]
    assert json.loads(tool_round.tool_calls[0]["arguments"]) == {"title": "buy milk"}
    assert tool_round.reasoning  # kept for display
    assert (tool_msg.role, tool_msg.tool_call_id, tool_msg.tool_name) == ("tool", call.call_id, "add_task")
    assert json.loads(tool_msg.content) == result.result
    assert answer.pk == done.message_id
    assert (answer.role, answer.status, answer.content) == ("assistant", "complete", done.content)
    assert answer.model == settings.GROQ_MODEL
    assert answer.prompt_tokens > 0 and answer.completion_tokens > 0 and answer.reasoning_tokens > 0
    assert answer.latency_ms is not None and answer.latency_ms >= 0
    assert set(answer.timings) >= {"queue_time", "total_time"}
    conversation = await Conversation.objects.aget(pk=turn.conversation_id)
    assert conversation.owner_id == user.pk and conversation.title == "add a task to buy milk"


async def test_result_has_the_answer_without_blocks_or_reasoning(emulator, user, mode):
    turn = await start_turn(user=user, text="add a task to water the plants", mode=mode)
    result = await turn.result()
    assert result.status == "complete" and result.error is None
    assert "water the plants" in result.response
    assert "tool_calls" not in result.response.lower()
    assert "The user wants" not in result.response  # the emulator's reasoning starts like this
    assert [c["tool"] for c in result.tool_calls] == ["add_task"]
    assert result.tool_calls[0]["result"]["status"] == "created"
    assert result.conversation_id == turn.conversation_id
    [*_, answer] = await transcript(turn.conversation_id)
    assert answer.reasoning.startswith("The user wants")
    assert answer.content == result.response


async def test_a_plain_answer_needs_no_tools(emulator, user, mode):
    turn = await start_turn(user=user, text="hello there", mode=mode)
    events = await collect(turn)
    assert kinds(events) == ["started", "text", "done"]
    assert [m.role for m in await transcript(turn.conversation_id)] == ["user", "assistant"]
    assert len(chat_requests(emulator)) == 1


# --- Several steps, and the next turn ----------------------------------------------------------------------
async def test_list_then_complete_uses_the_real_id_and_history_carries_to_the_next_turn(
    emulator, user, other_user, mode
):
    oldest, middle, newest = await make_tasks(user, "Pay rent", "Call mom", "Buy milk")
    [done_already] = await make_tasks(user, "Old chore", completed=True)
    await make_tasks(other_user, "Bob's newer task")

    turn = await start_turn(user=user, text="show my pending tasks and mark the first one done", mode=mode)
    events = await collect(turn)
    assert events[-1].kind == "done", events[-1]
    calls = [e for e in events if isinstance(e, ToolCallStarted)]
    assert [(c.name, c.params) for c in calls] == [
        ("list_tasks", {"status": "pending"}),
        ("complete_task", {"task_id": newest.pk}),
    ]
    listed = next(e for e in events if isinstance(e, ToolCallFinished) and e.name == "list_tasks")
    assert [t["id"] for t in listed.result["tasks"]] == [newest.pk, middle.pk, oldest.pk]
    assert (await reload(newest)).completed
    assert not (await reload(middle)).completed and not (await reload(oldest)).completed
    assert (await reload(done_already)).completed
    assert len(chat_requests(emulator)) == 3  # list, complete, answer

    emulator.reset()
    second = await start_turn(
        user=user, text="delete the second one", conversation_id=turn.conversation_id, mode=mode
    )
    events = await collect(second)
    assert events[-1].kind == "done", events[-1]
    assert [(e.name, e.params) for e in events if isinstance(e, ToolCallStarted)] == [
        ("delete_task", {"task_id": middle.pk})
    ]
    assert (await reload(middle)).deleted_at is not None
    assert (await reload(oldest)).deleted_at is None and (await reload(newest)).deleted_at is None

    first_request = chat_requests(emulator)[0]["messages"]
    assert first_request[0]["role"] == "system"
    assert [m["content"] for m in first_request if m["role"] == "user"][0] == (
        "show my pending tasks and mark the first one done"
    )
    if mode == NATIVE:
        tool_messages = [m for m in first_request if m["role"] == "tool"]
        assert len(tool_messages) == 2
        call_ids = [c["id"] for m in first_request if m.get("tool_calls") for c in m["tool_calls"]]
        assert [m["tool_call_id"] for m in tool_messages] == call_ids
        assert [t["id"] for t in json.loads(tool_messages[0]["content"])["tasks"]] == [
            newest.pk,
            middle.pk,
            oldest.pk,
        ]
    else:
        results = [m["content"] for m in first_request if m["content"].startswith("<TOOL_RESULTS>")]
        assert len(results) == 2
        assert f'"id": {middle.pk}' in results[0]
        assert not any(m.get("tool_calls") or m["role"] == "tool" for m in first_request)
    assert first_request[-1] == {"role": "user", "content": "delete the second one"}


async def test_the_request_carries_the_right_parameters_and_nothing_about_the_user(emulator, user, mode):
    await make_tasks(user, "Pay rent")
    turn = await start_turn(user=user, text="show my pending tasks and mark the first one done", mode=mode)
    await collect(turn)
    second = await start_turn(
        user=user, text="add a task to buy milk", conversation_id=turn.conversation_id, mode=mode
    )
    await collect(second)

    requests = chat_requests(emulator)
    assert len(requests) == 5
    for body in requests:
        assert body["model"] == settings.GROQ_MODEL
        assert body["stream"] is True
        assert body["temperature"] == settings.GROQ_TEMPERATURE
        assert body["top_p"] == settings.GROQ_TOP_P
        assert body["max_completion_tokens"] == settings.GROQ_MAX_TOKENS
        assert body["reasoning_effort"] == settings.GROQ_REASONING_EFFORT
        assert "max_tokens" not in body and "user" not in body
        if mode == NATIVE:
            assert body["tools"] == tool_schemas()
            assert body["tool_choice"] == "auto"
        else:
            assert "tools" not in body and "tool_choice" not in body
        wire = json.dumps(body)
        for secret in (user.username, user.email, '"user_id"', '"owner', "test-key"):
            assert secret not in wire
        for message in body["messages"]:
            assert "reasoning" not in message
        assert body["messages"][0]["role"] == "system"
    # The second turn's first request replays the first turn, reasoning left out.
    assert len(requests[3]["messages"]) > len(requests[0]["messages"]) + 3


async def test_the_turn_finishes_without_a_listener(emulator, user):
    turn = await start_turn(user=user, text="add a task to feed the cat", mode=NATIVE)
    for _ in range(100):  # nobody iterates events(): the turn still runs and saves
        messages = await transcript(turn.conversation_id)
        if messages[-1].role == "assistant" and not messages[-1].tool_calls:
            break
        await asyncio.sleep(0.05)
    assert [m.role for m in messages] == ["user", "assistant", "tool", "assistant"]
    assert [t.title for t in await tasks_of(user)] == ["feed the cat"]


# --- Scripted model behaviour ------------------------------------------------------------------------------
async def test_tool_call_arguments_split_across_chunks(emulator, user):
    arguments = {"title": "Renew the passport before July", "description": 'bring 2 photos, form "B-12"'}
    emulator.push_reply(Reply(tool_calls=[ToolCall("add_task", arguments)], split_arguments=True))
    emulator.push_reply(Reply(content="Added it."))
    turn = await start_turn(user=user, text="please add it", mode=NATIVE)
    result = await turn.result()
    assert result.status == "complete"
    assert result.response == "Added it."
    [task] = await tasks_of(user)
    assert (task.title, task.description) == (arguments["title"], arguments["description"])
    tool_round = (await transcript(turn.conversation_id))[1]
    assert json.loads(tool_round.tool_calls[0]["arguments"]) == arguments


async def test_a_block_split_across_chunks_in_prompt_mode(emulator, user):
    block = (
        '<TOOL_CALLS>{"tools": [{"name": "add_task", "params": {"title": "Call the plumber"}}]}</TOOL_CALLS>'
    )
    emulator.push_reply(Reply(content=f"Sure, one moment.\n{block}"))
    emulator.push_reply(Reply(content="Added **Call the plumber**."))
    turn = await start_turn(user=user, text="please add it", mode=PROMPT)
    events = await collect(turn)
    texts = [e.text for e in events if e.kind == "text"]
    assert len(texts) > 2
    assert not any("TOOL_CALLS" in t.upper() or "{" in t for t in texts)
    assert "".join(texts) == "Sure, one moment.\nAdded **Call the plumber**."
    assert [t.title for t in await tasks_of(user)] == ["Call the plumber"]
    tool_round = (await transcript(turn.conversation_id))[1]
    assert tool_round.content == "Sure, one moment."
    assert tool_round.tool_calls[0]["name"] == "add_task"


async def test_unknown_tool_and_bad_json_become_error_results(emulator, user):
    emulator.push_reply(
        Reply(
            tool_calls=[
                ToolCall("launch_rockets", {"target": "moon"}),
                ToolCall("add_task", '{"title": "oops"'),
                ToolCall("add_task", {"title": "fine"}),
            ]
        )
    )
    emulator.push_reply(Reply(content="Some of that didn't work."))
    turn = await start_turn(user=user, text="do three things", mode=NATIVE)
    events = await collect(turn)
    assert events[-1].kind == "done" and events[-1].content == "Some of that didn't work."
    results = [e for e in events if isinstance(e, ToolCallFinished)]
    assert [r.result.get("error") for r in results] == ["unknown_tool", "invalid_arguments", None]
    assert [t.title for t in await tasks_of(user)] == ["fine"]
    tools = [m for m in await transcript(turn.conversation_id) if m.role == "tool"]
    assert [json.loads(m.content).get("error") for m in tools] == ["unknown_tool", "invalid_arguments", None]
    # The model was told about each failure, answering each call id.
    second = chat_requests(emulator)[1]["messages"]
    answered = {m["tool_call_id"]: json.loads(m["content"]) for m in second if m["role"] == "tool"}
    assert [r.get("error") for r in answered.values()] == ["unknown_tool", "invalid_arguments", None]
    assert list(answered) == [r.call_id for r in results]


async def test_a_malformed_block_is_reported_back_in_prompt_mode(emulator, user):
    emulator.push_reply(
        Reply(content='Let me try. <TOOL_CALLS>{"tools": [{"name": "add_task", </TOOL_CALLS>')
    )
    emulator.push_reply(Reply(content="I could not do that, sorry."))
    turn = await start_turn(user=user, text="add something", mode=PROMPT)
    events = await collect(turn)
    assert events[-1].kind == "done" and events[-1].content == "I could not do that, sorry."
    [problem] = [e for e in events if isinstance(e, ToolCallFinished)]
    assert problem.result["error"] == "malformed_tool_block"
    second = chat_requests(emulator)[1]["messages"]
    assert second[-1]["role"] == "user" and second[-1]["content"].startswith("<TOOL_RESULTS>")
    assert "malformed_tool_block" in second[-1]["content"]
    assert await tasks_of(user) == []


async def test_tool_rounds_are_capped_then_the_model_must_answer(emulator, user, settings, mode):
    settings.AGENT_MAX_TOOL_ROUNDS = 2
    block = '<TOOL_CALLS>{"tools": [{"name": "list_tasks", "params": {}}]}</TOOL_CALLS>'
    for _ in range(5):  # a model that never stops calling tools
        if mode == NATIVE:
            emulator.push_reply(Reply(content="Still looking.", tool_calls=[ToolCall("list_tasks", {})]))
        else:
            emulator.push_reply(Reply(content=f"Still looking. {block}"))
    turn = await start_turn(user=user, text="loop forever", mode=mode)
    events = await collect(turn)
    assert events[-1].kind == "done"
    assert events[-1].content == "Still looking."
    assert len([e for e in events if isinstance(e, ToolCallFinished)]) == 2
    requests = chat_requests(emulator)
    assert len(requests) == 3
    if mode == NATIVE:
        assert [r["tool_choice"] for r in requests] == ["auto", "auto", "none"]
    roles = [m.role for m in await transcript(turn.conversation_id)]
    assert roles == ["user", "assistant", "tool", "assistant", "tool", "assistant"]


# --- Validation, limits, ownership -------------------------------------------------------------------------
async def test_user_message_is_saved_even_when_the_model_fails(emulator, user):
    emulator.push_fault(Fault(kind="status", status=500))
    turn = await start_turn(user=user, text="add a task to buy milk", mode=NATIVE)
    events = await collect(turn)
    assert isinstance(events[-1], TurnFailed)
    messages = await transcript(turn.conversation_id)
    assert [(m.role, m.content) for m in messages][0] == ("user", "add a task to buy milk")
    assert await tasks_of(user) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "message_required"),
        ("   \n ", "message_required"),
        (None, "message_required"),
        ("x" * 4097, "message_too_long"),
    ],
    ids=["empty", "blank", "none", "too-long"],
)
async def test_invalid_messages_are_refused_and_nothing_is_saved(emulator, user, text, code):
    with pytest.raises(DomainError) as caught:
        await start_turn(user=user, text=text)
    assert caught.value.code == code
    assert await Conversation.objects.acount() == 0
    assert await Message.objects.acount() == 0
    assert chat_requests(emulator) == []


async def test_a_message_at_the_limit_is_accepted(emulator, user):
    turn = await start_turn(user=user, text="x" * 4096)
    result = await turn.result()
    assert result.status == "complete"
    first = await Message.objects.aget(conversation_id=turn.conversation_id, role="user")
    assert len(first.content) == 4096


async def test_rate_limit(emulator, user, other_user, settings):
    settings.CHAT_RATE_PER_MINUTE = 2
    if 60 - time.time() % 60 < 2:  # the counter is per clock minute: don't straddle its edge
        await asyncio.sleep(60 - time.time() % 60 + 0.1)
    turns = [await start_turn(user=user, text=f"hello {n}") for n in range(2)]
    with pytest.raises(DomainError) as caught:
        await start_turn(user=user, text="hello again")
    assert caught.value.code == "rate_limited"
    assert caught.value.status_code == 429
    for turn in turns:
        assert (await turn.result()).status == "complete"
    assert await Message.objects.filter(role="user").acount() == 2
    assert not await Message.objects.filter(content="hello again").aexists()
    other = await start_turn(user=other_user, text="hello from bob")  # the limit is per user
    assert (await other.result()).status == "complete"


@pytest.mark.parametrize("conversation_id", ["theirs", 999_999, "abc"])
async def test_another_users_conversation_is_not_found(emulator, user, other_user, conversation_id):
    theirs = await sync_to_async(ConversationFactory)(owner=other_user, title="Bob's chat")
    if conversation_id == "theirs":
        conversation_id = theirs.pk
    with pytest.raises(DomainError) as caught:
        await start_turn(user=user, text="delete task 1", conversation_id=conversation_id)
    assert caught.value.code == "conversation_not_found"
    assert await Message.objects.acount() == 0
    assert await Conversation.objects.acount() == 1
    assert (await Conversation.objects.aget(pk=theirs.pk)).title == "Bob's chat"
    assert chat_requests(emulator) == []


@pytest.mark.parametrize(("first", "then"), [(PROMPT, NATIVE), (NATIVE, PROMPT)])
async def test_a_conversation_survives_a_change_of_tool_mode(emulator, user, first, then):
    """GROQ_TOOL_MODE can change between deploys; older turns (tool rounds, block errors) replay in the new mode."""
    if first == PROMPT:  # a malformed block leaves an error result that answers no call id
        emulator.push_reply(Reply(content='<TOOL_CALLS>{"tools": [{"name": </TOOL_CALLS>'))
        emulator.push_reply(Reply(content="Sorry, let me try again."))
    turn = await start_turn(user=user, text="add a task to buy milk", mode=first)
    assert (await collect(turn))[-1].kind == "done"
    second = await start_turn(
        user=user, text="add a task to buy bread", conversation_id=turn.conversation_id, mode=first
    )
    assert (await collect(second))[-1].kind == "done"
    third = await start_turn(user=user, text="show my tasks", conversation_id=turn.conversation_id, mode=then)
    events = await collect(third)
    assert events[-1].kind == "done", events[-1]
    assert "buy bread" in events[-1].content


@pytest.mark.django_db(transaction=True)
async def test_the_turn_starts_with_one_hop_and_a_bounded_history(user, emulator, settings, engine_hops):
    """Rate check, lock, save and history in a single thread hop; the history is the rows of the turns the prompt
    keeps (the budget takes 3 of the 40 earlier questions), not the whole conversation."""
    from chat.tests.factories import MessageFactory

    settings.GROQ_HISTORY_TOKEN_BUDGET = 60
    conversation = await sync_to_async(ConversationFactory)(owner=user)
    for n in range(40):
        await sync_to_async(MessageFactory)(conversation=conversation, content=f"old {n}")
    turn = await start_turn(user=user, text="newest", conversation_id=conversation.pk)
    assert engine_hops == ["save_user_message"]
    assert [turn_[0]["content"] for turn_ in turn.history] == ["old 37", "old 38", "old 39", "newest"]
    assert [e async for e in turn.events()][-1].kind == "done"


def test_a_new_conversation_starts_without_reading_its_history_back(user, django_assert_max_num_queries):
    from chat.turn.limits import release_turn_lock
    from chat.turn.recording import save_user_message

    with django_assert_max_num_queries(100) as captured:
        message, history = save_user_message(user, None, "first words")
    release_turn_lock(message.conversation_id)

    assert history == [[{"role": "user", "content": "first words"}]] and message.content == "first words"
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in reads if "chat_message" in sql]  # nothing read back from the messages
