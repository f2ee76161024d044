"""What the model is told: the system prompt, history in both tool modes, and trimming to a token budget."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from chat.models import Message
from chat.tests.factories import ConversationFactory, MessageFactory
from chat.turn import tool_block
from chat.turn.prompting import estimate_tokens, render_turns, system_prompt
from chat.turn.protocols import NATIVE, PROMPT
from chat.turn.tests.prompts import build_messages
from chat.turn.tools import TOOLS

pytestmark = pytest.mark.django_db

REASONING = "SECRET-CHAIN-OF-THOUGHT"


@pytest.fixture
def conversation(user):
    return ConversationFactory(owner=user)


def tool_turn(conversation) -> list[Message]:
    """A stored turn: the user asks, the model lists then completes, then answers."""
    say = MessageFactory
    return [
        say(conversation=conversation, role="user", content="mark the first one done"),
        say(
            conversation=conversation,
            role="assistant",
            content="",
            reasoning=REASONING,
            tool_calls=[{"id": "call_a", "name": "list_tasks", "arguments": '{"status": "pending"}'}],
        ),
        say(
            conversation=conversation,
            role="tool",
            tool_call_id="call_a",
            tool_name="list_tasks",
            content='{"status": "pending", "total": 1, "tasks": [{"id": 7, "title": "Milk"}]}',
        ),
        say(
            conversation=conversation,
            role="assistant",
            content="Checking.",
            reasoning=REASONING,
            tool_calls=[{"id": "call_b", "name": "complete_task", "arguments": '{"task_id": 7}'}],
        ),
        say(
            conversation=conversation,
            role="tool",
            tool_call_id="call_b",
            tool_name="complete_task",
            content='{"task_id": 7, "status": "completed", "title": "Milk"}',
        ),
        say(
            conversation=conversation,
            role="assistant",
            content="Marked **Milk** as done.",
            reasoning=REASONING,
        ),
    ]


def plain_turn(conversation, n: int, size: int = 40) -> list[Message]:
    return [
        MessageFactory(conversation=conversation, role="user", content=f"question {n} " + "q" * size),
        MessageFactory(
            conversation=conversation,
            role="assistant",
            content=f"answer {n} " + "a" * size,
            reasoning=REASONING,
        ),
    ]


# --- System prompt -----------------------------------------------------------------------------------------
def test_system_prompt_has_todays_date_and_weekday_in_the_users_zone():
    instant = dt.datetime(2026, 11, 26, 23, 30, tzinfo=dt.UTC)  # Thursday in London, Friday in Tokyo
    assert "Today is Thursday 26 November 2026 (Europe/London)." in system_prompt(
        NATIVE, tz="Europe/London", now=instant
    )
    assert "Today is Friday 27 November 2026 (Asia/Tokyo)." in system_prompt(
        PROMPT, tz="Asia/Tokyo", now=instant
    )


def test_system_prompt_is_stable_within_the_users_day():
    """Prompt caching: the prefix (system prompt) changes once a day, at the user's midnight, not every turn."""
    morning = dt.datetime(2026, 11, 26, 0, 5, tzinfo=ZoneInfo("Europe/Paris"))
    night = dt.datetime(2026, 11, 26, 23, 55, tzinfo=ZoneInfo("Europe/Paris"))
    assert system_prompt(NATIVE, tz="Europe/Paris", now=morning) == system_prompt(
        NATIVE, tz="Europe/Paris", now=night
    )
    assert system_prompt(NATIVE, tz="Europe/Paris", now=night + dt.timedelta(minutes=10)) != system_prompt(
        NATIVE, tz="Europe/Paris", now=night
    )


def test_system_prompt_tells_the_model_to_pass_date_words():
    text = system_prompt(NATIVE)
    assert "Never compute dates yourself" in text and "`due`" in text


def test_prompt_mode_describes_the_block_and_every_tool():
    text = system_prompt(PROMPT)
    assert "<TOOL_CALLS>" in text and "</TOOL_CALLS>" in text and "<TOOL_RESULTS>" in text
    for tool in TOOLS.values():
        assert f"- {tool.name}: {tool.description}" in text
        for prop in tool.parameters["properties"]:
            assert f'"{prop}"' in text
    example = text[text.index("<TOOL_CALLS>") : text.index("</TOOL_CALLS>") + len("</TOOL_CALLS>")]
    assert tool_block.parse(example).calls == [tool_block.BlockCall("add_task", {"title": "Buy milk"})]


def test_native_mode_leaves_tools_to_the_tools_parameter():
    text = system_prompt(NATIVE)
    assert "TOOL_CALLS" not in text and "TOOL_RESULTS" not in text
    assert "params=" not in text
    for tool in TOOLS.values():
        assert tool.description not in text


# --- History rendering -------------------------------------------------------------------------------------
def test_render_turns_native(conversation):
    tool_turn(conversation)
    [turn] = render_turns(conversation.messages.all(), NATIVE)
    assert [m["role"] for m in turn] == ["user", "assistant", "tool", "assistant", "tool", "assistant"]
    assert turn[1] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_a",
                "type": "function",
                "function": {"name": "list_tasks", "arguments": '{"status": "pending"}'},
            }
        ],
    }
    assert turn[2]["tool_call_id"] == "call_a"
    assert json.loads(turn[2]["content"])["tasks"][0]["id"] == 7
    assert turn[3]["content"] == "Checking."
    assert turn[3]["tool_calls"][0]["id"] == turn[4]["tool_call_id"] == "call_b"
    assert turn[5] == {"role": "assistant", "content": "Marked **Milk** as done."}


def test_render_turns_prompt(conversation):
    tool_turn(conversation)
    [turn] = render_turns(conversation.messages.all(), PROMPT)
    assert [m["role"] for m in turn] == ["user", "assistant", "user", "assistant", "user", "assistant"]
    assert all(set(m) == {"role", "content"} for m in turn)  # no native tool fields in prompt mode
    first = tool_block.parse(turn[1]["content"])
    assert first.calls == [tool_block.BlockCall("list_tasks", {"status": "pending"})]
    second = tool_block.parse(turn[3]["content"])
    assert second.text == "Checking."
    assert second.calls == [tool_block.BlockCall("complete_task", {"task_id": 7})]
    for results_message, name in ((turn[2], "list_tasks"), (turn[4], "complete_task")):
        content = results_message["content"]
        assert content.startswith("<TOOL_RESULTS>") and content.endswith("</TOOL_RESULTS>")
        [result] = json.loads(content.removeprefix("<TOOL_RESULTS>").removesuffix("</TOOL_RESULTS>"))[
            "results"
        ]
        assert result["name"] == name
    assert "completed" in turn[4]["content"]
    assert turn[5] == {"role": "assistant", "content": "Marked **Milk** as done."}


def test_several_calls_in_one_round_become_one_results_message(conversation):
    MessageFactory(conversation=conversation, role="user", content="do two things")
    MessageFactory(
        conversation=conversation,
        role="assistant",
        content="",
        tool_calls=[
            {"id": "c1", "name": "add_task", "arguments": '{"title": "A"}'},
            {"id": "c2", "name": "add_task", "arguments": '{"title": "B"}'},
        ],
    )
    for call_id, title in (("c1", "A"), ("c2", "B")):
        MessageFactory(
            conversation=conversation,
            role="tool",
            tool_call_id=call_id,
            tool_name="add_task",
            content=json.dumps({"status": "created", "title": title}),
        )
    # The turn ends with the results (the final answer never came): they must still be there.
    [native] = render_turns(conversation.messages.all(), NATIVE)
    assert [m.get("tool_call_id") for m in native[2:]] == ["c1", "c2"]
    [prompt] = render_turns(conversation.messages.all(), PROMPT)
    assert [m["role"] for m in prompt] == ["user", "assistant", "user"]
    results = json.loads(prompt[2]["content"][len("<TOOL_RESULTS>") : -len("</TOOL_RESULTS>")])["results"]
    assert [r["result"]["title"] for r in results] == ["A", "B"]


def test_empty_assistant_messages_are_left_out(conversation):
    """A turn that failed before any text leaves an empty error message: the model must not see an empty reply."""
    MessageFactory(conversation=conversation, role="user", content="first")
    MessageFactory(conversation=conversation, role="assistant", content="", status="error", error_code="x")
    MessageFactory(conversation=conversation, role="user", content="second")
    turns = render_turns(conversation.messages.all(), NATIVE)
    assert turns == [[{"role": "user", "content": "first"}], [{"role": "user", "content": "second"}]]


@pytest.mark.parametrize("mode", [NATIVE, PROMPT])
def test_reasoning_never_reaches_the_model(conversation, mode):
    tool_turn(conversation)
    plain_turn(conversation, 2)
    messages = build_messages(conversation.messages.all(), mode, budget=10_000)
    assert REASONING not in json.dumps(messages)
    assert all("reasoning" not in m for m in messages)


# --- Trimming ----------------------------------------------------------------------------------------------
def _cost(turn: list[dict]) -> int:
    return sum(estimate_tokens(m) for m in turn)


@pytest.mark.parametrize("mode", [NATIVE, PROMPT])
def test_trimming_keeps_the_newest_whole_turns_within_budget(conversation, mode):
    tool_turn(conversation)
    for n in range(1, 6):
        plain_turn(conversation, n)
    turns = render_turns(conversation.messages.all(), mode)
    budget = sum(_cost(t) for t in turns[-3:]) + _cost(turns[-4]) - 1  # three fit, the fourth doesn't
    messages = build_messages(conversation.messages.all(), mode, budget)
    assert messages[0]["role"] == "system"
    assert messages[1:] == [m for t in turns[-3:] for m in t]
    assert messages[1]["content"].startswith("question 3")
    assert sum(estimate_tokens(m) for m in messages[1:]) <= budget


def test_trimming_never_splits_a_tool_round(conversation):
    plain_turn(conversation, 1)
    tool_turn(conversation)
    plain_turn(conversation, 2)
    turns = render_turns(conversation.messages.all(), NATIVE)
    budget = _cost(turns[-1]) + _cost(turns[-2]) - 1  # the tool turn doesn't fit whole
    messages = build_messages(conversation.messages.all(), NATIVE, budget)
    assert [m["role"] for m in messages] == ["system", "user", "assistant"]
    assert not any(m["role"] == "tool" or m.get("tool_calls") for m in messages)


def test_the_current_turn_is_kept_even_over_budget(conversation):
    plain_turn(conversation, 1)
    MessageFactory(conversation=conversation, role="user", content="x" * 5000)
    messages = build_messages(conversation.messages.all(), NATIVE, budget=10)
    assert messages[1:] == [{"role": "user", "content": "x" * 5000}]


@pytest.mark.parametrize("mode", [NATIVE, PROMPT])
def test_a_long_history_stays_under_budget(conversation, mode):
    for n in range(200):
        plain_turn(conversation, n, size=200)
    MessageFactory(conversation=conversation, role="user", content="the newest question")
    budget = 6000
    messages = build_messages(conversation.messages.all(), mode, budget)
    history = messages[1:]
    assert sum(estimate_tokens(m) for m in history) <= budget
    assert history[-1] == {"role": "user", "content": "the newest question"}
    assert history[0]["role"] == "user"  # starts at a turn boundary
    assert 10 < len(history) < 401
    kept = [m["content"] for m in history if m["role"] == "user"]
    assert kept[-2].startswith("question 199 ")  # the newest turns, in order
    assert kept == sorted(kept[:-1], key=lambda c: int(c.split()[1])) + ["the newest question"]


def test_estimate_tokens_is_conservative():
    message = {"role": "user", "content": "word " * 400}
    assert estimate_tokens(message) >= 2000 / 4


def test_a_malformed_block_report_replays_in_both_modes(conversation):
    """Prompt mode saves "your block was malformed" as a tool row that answers no call id."""
    MessageFactory(conversation=conversation, role="user", content="add milk")
    MessageFactory(conversation=conversation, role="assistant", content="", tool_calls=[])
    MessageFactory(
        conversation=conversation,
        role="tool",
        tool_call_id="",
        tool_name="",
        content='{"error": "malformed_tool_block", "message": "not valid JSON"}',
    )
    MessageFactory(conversation=conversation, role="assistant", content="Sorry, that went wrong.")
    [native] = render_turns(conversation.messages.all(), NATIVE)
    assert native == [
        {"role": "user", "content": "add milk"},
        {"role": "assistant", "content": "Sorry, that went wrong."},
    ]  # Groq refuses a tool message without a tool_call_id
    [prompt] = render_turns(conversation.messages.all(), PROMPT)
    assert [m["role"] for m in prompt] == ["user", "user", "assistant"]
    assert "malformed_tool_block" in prompt[1]["content"]


# --- A bounded history query -------------------------------------------------------------------------------
def varied_transcript(conversation, turns: int) -> None:
    """Turns of every shape: short and long words, tool rounds, empty failed replies."""
    for n in range(turns):
        MessageFactory(conversation=conversation, role="user", content="x" if n % 3 else f"question {n} " * 9)
        if n % 4 == 1:
            tool_turn(conversation)
        elif n % 5 == 2:
            MessageFactory(conversation=conversation, role="assistant", content="", status="error")
        else:
            MessageFactory(conversation=conversation, role="assistant", content="ok" if n % 2 else "y " * 80)


def recent_rows(conversation, loads: list[int] | None = None):
    """The selector as the turn's hop calls it, noting how many rows each page asked for."""
    from chat.selectors import message_list_recent

    def load_older(oldest, n):
        if loads is not None:
            loads.append(n)
        return message_list_recent(conversation=conversation, limit=n, before=oldest)

    return load_older


@pytest.mark.parametrize("protocol", [NATIVE, PROMPT])
@pytest.mark.parametrize("budget", [0, 40, 200, 900, 3000])
def test_the_history_window_builds_the_same_prompt_as_the_whole_conversation(conversation, protocol, budget):
    from chat.selectors import message_list
    from chat.turn.prompting import history_window, prompt_messages

    varied_transcript(conversation, 60)
    MessageFactory(conversation=conversation, role="user", content="and now?")
    everything = list(message_list(conversation=conversation))
    loads: list[int] = []
    window = history_window(recent_rows(conversation, loads), protocol, budget)
    assert prompt_messages(window, protocol) == build_messages(everything, protocol, budget)
    assert window[-1][0] == {"role": "user", "content": "and now?"}
    assert sum(loads) < len(everything)  # never the whole conversation


def test_a_long_conversation_loads_one_page_when_its_newest_turns_fill_the_budget(conversation):
    from chat.turn.prompting import FIRST_PAGE_ROWS, history_rows, history_window

    for n in range(200):
        plain_turn(conversation, n)
    loads: list[int] = []
    window = history_window(recent_rows(conversation, loads), NATIVE, 300)
    assert loads == [FIRST_PAGE_ROWS]  # not the history_rows(300) rows a prompt could hold at 6 tokens a row
    assert 1 < len(window) < FIRST_PAGE_ROWS // 2 < history_rows(300)
    assert window[-1][0]["content"].startswith("question 199 ")


def test_older_pages_load_only_while_every_turn_so_far_fits(conversation):
    from chat.selectors import message_list
    from chat.turn.prompting import FIRST_PAGE_ROWS, history_window, prompt_messages

    for n in range(150):
        plain_turn(conversation, n, size=4)  # small turns: the budget takes several pages
    everything = list(message_list(conversation=conversation))
    loads: list[int] = []
    window = history_window(recent_rows(conversation, loads), PROMPT, 2500)
    assert prompt_messages(window, PROMPT) == build_messages(everything, PROMPT, 2500)
    assert FIRST_PAGE_ROWS < 2 * len(window) < len(everything)
    assert loads == [FIRST_PAGE_ROWS * 2**i for i in range(len(loads))] and len(loads) > 1  # twice the last
    assert sum(loads[:-1]) <= 2 * len(window) + 1  # the last page was needed: all the ones before it fit


def test_a_short_conversation_is_one_query(conversation, django_assert_num_queries):
    from chat.turn.prompting import history_window

    for n in range(5):
        plain_turn(conversation, n)
    with django_assert_num_queries(1):
        window = history_window(recent_rows(conversation), NATIVE, 6000)
    assert len(window) == 5 and [m["role"] for m in window[0]] == ["user", "assistant"]


def test_the_current_turn_comes_whole_however_many_rows_it_has(conversation):
    from chat.turn.prompting import history_rows, history_window

    plain_turn(conversation, 0)
    rows = tool_turn(conversation)
    assert len(rows) > history_rows(0)
    [turn] = history_window(recent_rows(conversation), NATIVE, 0)
    assert [m["role"] for m in turn] == ["user", "assistant", "tool", "assistant", "tool", "assistant"]


def trimmed_whole(messages, protocol, budget) -> list[dict]:
    """The reference: render every row, then keep the newest whole turns that fit (the current one always)."""
    kept, used = [], 0
    for turn in reversed(render_turns(messages, protocol)):
        cost = sum(estimate_tokens(m) for m in turn)
        if kept and used + cost > budget:
            break
        kept.append(turn)
        used += cost
    return [m for turn in reversed(kept) for m in turn]


@pytest.mark.parametrize("protocol", [NATIVE, PROMPT])
@pytest.mark.parametrize("budget", [0, 30, 120, 600, 6000])
def test_replaced_branches_in_memory_trim_as_the_whole_transcript_does(conversation, protocol, budget):
    from django.utils import timezone

    say = MessageFactory
    now = timezone.now()
    varied_transcript(conversation, 12)
    say(conversation=conversation, role="user", content="edited away", replaced_at=now)
    say(conversation=conversation, role="assistant", content="its reply", replaced_at=now)
    say(conversation=conversation, role="user", content="the edit")
    say(conversation=conversation, role="assistant", content="regenerated away", replaced_at=now)
    say(conversation=conversation, role="assistant", content="the new reply")
    say(conversation=conversation, role="user", content="odd: replaced", replaced_at=now)
    say(conversation=conversation, role="assistant", content="odd: kept after it")
    tool_turn(conversation)
    messages = list(conversation.messages.order_by("created_at", "id"))
    assert build_messages(messages, protocol, budget)[1:] == trimmed_whole(messages, protocol, budget)
