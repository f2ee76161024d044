"""The Groq boundary: request parameters, the per-loop client, stream accumulation, errors and offline mode."""

import asyncio

import pytest

from chat.turn import llm
from chat.turn.calls import ToolCall as Call
from chat.turn.events import TurnStarted
from chat.turn.start import start_turn
from chat.turn.tools import tool_schemas
from groq_emulator import EmulatorServer, Fault, Reply, ToolCall
from tasks import selectors

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]


# --- request_params ----------------------------------------------------------------------------------------
def test_request_params_with_tools(settings):
    params = llm.request_params(MESSAGES, tools=tool_schemas())
    assert params == {
        "model": "openai/gpt-oss-120b",
        "messages": MESSAGES,
        "temperature": settings.GROQ_TEMPERATURE,
        "top_p": settings.GROQ_TOP_P,
        "max_completion_tokens": settings.GROQ_MAX_TOKENS,
        "stream": True,
        "reasoning_effort": settings.GROQ_REASONING_EFFORT,
        "tools": tool_schemas(),
        "tool_choice": "auto",
    }


def test_request_params_for_the_last_round_forbid_tools():
    assert llm.request_params(MESSAGES, tools=tool_schemas(), allow_tools=False)["tool_choice"] == "none"


def test_request_params_without_tools_have_no_tool_choice():
    params = llm.request_params(MESSAGES, tools=None)
    assert "tools" not in params and "tool_choice" not in params


def test_request_params_follow_settings(settings):
    settings.GROQ_MODEL = "llama-3.3-70b-versatile"
    settings.GROQ_TEMPERATURE = 0.2
    settings.GROQ_MAX_TOKENS = 512
    params = llm.request_params(MESSAGES, tools=None)
    assert (params["model"], params["temperature"], params["max_completion_tokens"]) == (
        "llama-3.3-70b-versatile",
        0.2,
        512,
    )
    assert "reasoning_effort" not in params  # only gpt-oss takes it


def test_request_params_never_identify_the_user():
    params = llm.request_params(MESSAGES, tools=tool_schemas())
    assert "user" not in params and "max_tokens" not in params


# --- The client --------------------------------------------------------------------------------------------
async def test_one_client_per_loop_and_configuration(settings):
    settings.GROQ_BASE_URL = "http://127.0.0.1:1"
    settings.GROQ_API_KEY = "k"
    first = llm.get_client()
    assert llm.get_client() is first  # connection pool reused across turns
    settings.GROQ_BASE_URL = "http://127.0.0.1:2"
    other = llm.get_client()
    assert other is not first
    assert str(other.base_url).startswith("http://127.0.0.1:2")
    settings.GROQ_BASE_URL = "http://127.0.0.1:1"
    assert llm.get_client() is first


def test_a_new_event_loop_gets_its_own_client(settings):
    """An httpx pool is bound to the loop that opened it; sharing it across loops would break."""
    settings.GROQ_BASE_URL = "http://127.0.0.1:1"

    async def client():
        return llm.get_client()

    assert asyncio.run(client()) is not asyncio.run(client())


async def test_client_settings(settings):
    settings.GROQ_BASE_URL = "http://127.0.0.1:3"
    settings.GROQ_API_KEY = "the-key"
    settings.AGENT_TIMEOUT = 7
    settings.GROQ_MAX_RETRIES = 4
    client = llm.get_client()
    assert (client.api_key, client.max_retries, client.timeout.read) == ("the-key", 4, 7)


# --- Streams -----------------------------------------------------------------------------------------------
def chunk(delta: dict, finish=None, **extra) -> dict:
    """A streamed chunk as `json.loads` decodes it from the wire (the accumulator never sees SDK objects)."""
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "openai/gpt-oss-120b",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }


def test_accumulator_merges_interleaved_tool_call_pieces_by_index():
    acc = llm.StreamAccumulator()
    pieces = [
        chunk({"role": "assistant", "content": ""}, x_groq={"id": "req_1"}),
        chunk({"reasoning": "Two "}),
        chunk({"reasoning": "tasks."}),
        chunk({"content": "On it."}),
        chunk(
            {"tool_calls": [{"index": 1, "id": "call_b", "function": {"name": "add_", "arguments": '{"ti'}}]}
        ),
        chunk(
            {
                "tool_calls": [
                    {"index": 0, "id": "call_a", "function": {"name": "list_tasks", "arguments": ""}}
                ]
            }
        ),
        chunk({"tool_calls": [{"index": 1, "function": {"name": "task", "arguments": 'tle": "B"}'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": "{}"}}]}),
        chunk(
            {},
            "tool_calls",
            x_groq={
                "id": "req_1",
                "usage": {
                    "prompt_tokens": 10,
                    "completion_tokens": 5,
                    "total_tokens": 15,
                    "queue_time": 0.01,
                    "total_time": 0.2,
                    "completion_tokens_details": {"reasoning_tokens": 2},
                    "prompt_tokens_details": {"cached_tokens": 4},
                },
            },
        ),
    ]
    deltas = [acc.feed(p) for p in pieces]
    assert [(d.content, d.reasoning) for d in deltas if d.content or d.reasoning] == [
        ("", "Two "),
        ("", "tasks."),
        ("On it.", ""),
    ]
    done = acc.finish()
    assert (done.content, done.reasoning, done.finish_reason) == (
        "On it.",
        "Two tasks.",
        "tool_calls",
    )
    assert done.tool_calls == [
        Call("call_a", "list_tasks", "{}"),
        Call("call_b", "add_task", '{"title": "B"}'),
    ]
    assert done.usage == {
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "reasoning_tokens": 2,
        "cached_tokens": 4,
        "timings": {"queue_time": 0.01, "total_time": 0.2},
    }


def test_accumulator_names_calls_that_came_without_an_id():
    acc = llm.StreamAccumulator()
    acc.feed(chunk({"tool_calls": [{"index": 0, "function": {"name": "list_tasks", "arguments": "{}"}}]}))
    [call] = acc.finish().tool_calls
    assert (
        call.id.startswith("call_")
        and len(call.id) > 10
        and (call.name, call.arguments) == ("list_tasks", "{}")
    )


def test_accumulator_treats_ill_typed_pieces_as_absent():
    acc = llm.StreamAccumulator()
    deltas = [
        acc.feed({"choices": "nope"}),
        acc.feed(chunk({"content": 5, "reasoning": None, "tool_calls": ["x", {"index": "0"}]})),
        acc.feed(chunk({"content": "ok\x00"}, "stop")),
    ]
    assert [d.content for d in deltas] == ["", "", "ok"]
    done = acc.finish()
    assert (done.content, done.finish_reason, done.usage) == ("ok", "stop", {})
    assert [c.name for c in done.tool_calls] == [""]  # an unnamed call: the tool runner refuses it


async def test_model_stream_over_the_emulator(emulator):
    emulator.push_reply(
        Reply(
            content="Adding both.",
            reasoning="The user wants two tasks added.",
            tool_calls=[
                ToolCall("add_task", {"title": "A"}, id="call_1"),
                ToolCall("add_task", {"title": "B"}),
            ],
            split_arguments=True,
        )
    )
    stream = await llm.ModelStream(llm.request_params(MESSAGES, tools=tool_schemas())).open()
    deltas = [d async for d in stream]
    await stream.close()
    assert "".join(d.content for d in deltas) == "Adding both."
    assert "".join(d.reasoning for d in deltas) == "The user wants two tasks added."
    done = stream.completion
    assert [(c.name, c.arguments) for c in done.tool_calls] == [
        ("add_task", '{"title": "A"}'),
        ("add_task", '{"title": "B"}'),
    ]
    assert done.tool_calls[0].id == "call_1" and done.tool_calls[1].id.startswith("call_")
    assert done.finish_reason == "tool_calls"
    assert done.usage["prompt_tokens"] > 0 and done.usage["reasoning_tokens"] > 0


async def test_closing_a_stream_early_ends_the_upstream_request(settings):
    with EmulatorServer(port=0) as server:
        settings.GROQ_BASE_URL, settings.GROQ_API_KEY = server.base_url, "test-key"
        server.push_fault(Fault(kind="slow", seconds=0.05))
        server.push_reply(Reply(content="word " * 400))
        stream = await llm.ModelStream(llm.request_params(MESSAGES, tools=None)).open()
        async for _ in stream:
            break
        await stream.close()
        for _ in range(40):
            if server.disconnects:
                break
            await asyncio.sleep(0.05)
        assert server.disconnects == 1


@pytest.mark.parametrize(
    ("fault", "code", "http_status"),
    [
        (Fault(kind="status", status=401), "upstream_auth", 502),
        (Fault(kind="status", status=404), "upstream_error", 502),
        (Fault(kind="status", status=413), "upstream_too_large", 502),
        (Fault(kind="status", status=429), "upstream_rate_limited", 503),
        (Fault(kind="status", status=500), "upstream_unavailable", 503),
        (Fault(kind="tool_use_failed"), "tool_use_failed", 502),
        (Fault(kind="drop"), "upstream_unreachable", 503),
    ],
    ids=lambda v: getattr(v, "kind", None) and f"{v.kind}-{v.status or ''}",
)
async def test_opening_a_failing_stream_raises_an_upstream_error(emulator, fault, code, http_status):
    emulator.push_fault(fault)
    with pytest.raises(llm.UpstreamError) as caught:
        await llm.ModelStream(llm.request_params(MESSAGES, tools=tool_schemas())).open()
    assert (caught.value.code, caught.value.http_status) == (code, http_status)


@pytest.mark.parametrize(
    ("exc", "code", "http_status"),
    [
        (TimeoutError(), "upstream_timeout", 504),
        (ValueError("bad data"), "upstream_error", 502),
        (llm.UpstreamError("x", "y", 418), "x", 418),
    ],
)
def test_translate_error_without_http(exc, code, http_status):
    error = llm.translate_error(exc)
    assert (error.code, error.http_status) == (code, http_status)
    assert "bad data" not in error.message


# --- Offline demo ------------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
async def test_offline_mode_starts_the_built_in_emulator(emulator, user, settings):
    settings.GROQ_API_KEY = ""
    settings.GROQ_BASE_URL = ""
    assert llm.is_offline_demo()
    turn = await start_turn(user=user, text="add a task to buy milk")
    events = [e async for e in turn.events()]
    assert isinstance(events[0], TurnStarted) and events[0].offline_demo is True
    assert events[-1].kind == "done" and "buy milk" in events[-1].content
    assert [t.title async for t in selectors.task_list(owner=user)] == ["buy milk"]
    assert emulator.requests_snapshot() == []  # not the test emulator: the in-process one
    assert str(llm.get_client().base_url).startswith(llm._offline_base_url())
    assert llm.get_client().api_key == llm.OFFLINE_API_KEY
