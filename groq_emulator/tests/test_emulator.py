"""The Groq-wire emulator, driven through the real `groq` SDK over HTTP (no Django, no database)."""

from __future__ import annotations

import asyncio
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import groq
import httpx
import pytest

from groq_emulator import EmulatorServer, Fault, Reply, ToolCall
from groq_emulator.intents import parse_request

MODEL = "openai/gpt-oss-120b"
TOOLS = [
    {"type": "function", "function": {"name": name, "description": name, "parameters": {"type": "object"}}}
    for name in ("add_task", "list_tasks", "complete_task", "delete_task", "update_task")
]
PENDING = {
    "status": "pending",
    "total": 2,
    "tasks": [
        {"id": 7, "title": "Buy milk", "description": "", "completed": False},
        {"id": 9, "title": "Walk the dog", "description": "before work", "completed": False},
    ],
}


@pytest.fixture(scope="module")
def srv():
    server = EmulatorServer(host="127.0.0.1", port=0, chunk_delay=0.0).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _clean(srv):
    srv.reset()
    yield
    srv.reset()


@pytest.fixture
def client(srv):
    with groq.Groq(base_url=srv.base_url, api_key="test", max_retries=0, timeout=5) as c:
        yield c


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "system", "content": "You are a todo assistant."}, {"role": "user", "content": text}]


def collect(stream) -> dict[str, Any]:
    """Accumulate a stream the way the app must: content, reasoning, tool calls by index, finish, usage."""
    out: dict[str, Any] = {"content": "", "reasoning": "", "calls": {}, "finish": None, "usage": None, "n": 0}
    for chunk in stream:
        out["n"] += 1
        choice = chunk.choices[0]
        delta = choice.delta
        out["content"] += delta.content or ""
        out["reasoning"] += delta.reasoning or ""
        for tc in delta.tool_calls or []:
            slot = out["calls"].setdefault(tc.index, {"id": None, "name": "", "arguments": "", "pieces": 0})
            slot["id"] = tc.id or slot["id"]
            slot["name"] += (tc.function.name or "") if tc.function else ""
            slot["arguments"] += (tc.function.arguments or "") if tc.function else ""
            slot["pieces"] += 1
        if choice.finish_reason:
            out["finish"] = choice.finish_reason
            out["usage"] = chunk.x_groq.usage if chunk.x_groq else None
    return out


def tool_turn(messages: list[dict[str, Any]], message: Any, results: list[dict[str, Any]]) -> None:
    """Append the assistant tool-call message (no reasoning!) and one tool message per call."""
    calls = [
        {
            "id": tc.id,
            "type": "function",
            "function": {"name": tc.function.name, "arguments": tc.function.arguments},
        }
        for tc in message.tool_calls
    ]
    messages.append({"role": "assistant", "content": message.content or "", "tool_calls": calls})
    for call, result in zip(calls, results, strict=True):
        messages.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps(result)})


# ---- plain completions ------------------------------------------------------------------------------------


def test_json_completion_shape(client, srv):
    resp = client.chat.completions.create(model=MODEL, messages=user("hello"))
    choice = resp.choices[0]
    assert resp.object == "chat.completion" and resp.model == MODEL
    assert choice.finish_reason == "stop"
    assert "offline demo assistant" in choice.message.content
    assert choice.message.reasoning.startswith("The user")
    assert resp.x_groq.id.startswith("req_")
    usage = resp.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens > 0
    assert usage.completion_tokens_details.reasoning_tokens > 0
    assert usage.total_time > 0 and usage.queue_time is not None
    assert srv.requests[-1]["messages"][-1]["content"] == "hello"


def test_stream_has_role_reasoning_content_and_usage(client):
    chunks = list(client.chat.completions.create(model=MODEL, messages=user("what can you do?"), stream=True))
    first = chunks[0].choices[0].delta
    assert first.role == "assistant" and first.content == ""
    reasoning_at = [i for i, c in enumerate(chunks) if c.choices[0].delta.reasoning]
    content_at = [i for i, c in enumerate(chunks) if c.choices[0].delta.content]
    assert len(reasoning_at) > 1 and len(content_at) > 5 and max(reasoning_at) < min(content_at)
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop" and last.choices[0].delta.content is None
    assert last.x_groq.usage.completion_tokens > 0 and last.x_groq.id.startswith("req_")
    assert "offline demo assistant" in "".join(c.choices[0].delta.content or "" for c in chunks)


def test_include_reasoning_false_hides_reasoning(client):
    out = collect(
        client.chat.completions.create(model=MODEL, messages=user("hi"), stream=True, include_reasoning=False)
    )
    assert out["reasoning"] == "" and out["content"]
    resp = client.chat.completions.create(model=MODEL, messages=user("hi"), include_reasoning=False)
    assert resp.choices[0].message.reasoning is None


def test_rate_limit_headers_on_success_and_error(client, srv):
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=user("hi"))
    srv.push_fault(Fault(kind="status", status=500))
    with pytest.raises(groq.InternalServerError) as err:
        client.chat.completions.create(model=MODEL, messages=user("hi"))
    for headers in (raw.headers, err.value.response.headers):
        for key in (
            "limit-requests",
            "limit-tokens",
            "remaining-requests",
            "remaining-tokens",
            "reset-requests",
            "reset-tokens",
        ):
            assert headers[f"x-ratelimit-{key}"]
        assert headers["x-request-id"].startswith("req_")


def test_max_completion_tokens_truncates_with_length(client):
    resp = client.chat.completions.create(
        model=MODEL, messages=user("write a long story"), max_completion_tokens=60
    )
    assert resp.choices[0].finish_reason == "length"
    assert resp.usage.completion_tokens <= 60
    out = collect(
        client.chat.completions.create(
            model=MODEL, messages=user("write a long story"), max_tokens=60, stream=True
        )
    )
    assert out["finish"] == "length" and len(out["content"] + out["reasoning"]) <= 240


def test_long_story_is_long(client):
    resp = client.chat.completions.create(model=MODEL, messages=user("tell me a long story"))
    assert len(resp.choices[0].message.content.split()) >= 380


# ---- tool calls --------------------------------------------------------------------------------------------


def test_native_tool_call_add_task(client):
    resp = client.chat.completions.create(model=MODEL, messages=user("add a task to buy milk"), tools=TOOLS)
    choice = resp.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.id.startswith("call_") and call.type == "function"
    assert call.function.name == "add_task"
    assert json.loads(call.function.arguments) == {"title": "buy milk"}


def test_streamed_tool_call_and_split_arguments(client, srv):
    out = collect(
        client.chat.completions.create(
            model=MODEL, messages=user("add task: call mom"), tools=TOOLS, stream=True
        )
    )
    assert out["finish"] == "tool_calls" and out["calls"][0]["pieces"] == 1
    assert json.loads(out["calls"][0]["arguments"]) == {"title": "call mom"}

    srv.push_reply(
        Reply(
            tool_calls=[
                ToolCall("add_task", {"title": "Pay rent", "description": "monthly"}),
                ToolCall("list_tasks", {"status": "all"}, id="call_fixed"),
            ],
            split_arguments=True,
        )
    )
    out = collect(client.chat.completions.create(model=MODEL, messages=user("x"), tools=TOOLS, stream=True))
    first, second = out["calls"][0], out["calls"][1]
    assert first["pieces"] > 1 and first["name"] == "add_task" and first["id"].startswith("call_")
    assert json.loads(first["arguments"]) == {"title": "Pay rent", "description": "monthly"}
    assert second["id"] == "call_fixed" and json.loads(second["arguments"]) == {"status": "all"}


def test_scripted_malformed_arguments_pass_through(client, srv):
    srv.push_reply(Reply(content="", tool_calls=[ToolCall("nuke_tasks", '{"title": ')]))
    call = client.chat.completions.create(model=MODEL, messages=user("x"), tools=TOOLS).choices[0].message
    assert call.tool_calls[0].function.name == "nuke_tasks"
    assert call.tool_calls[0].function.arguments == '{"title": '


def test_prompt_mode_writes_tool_calls_block(client, srv):
    resp = client.chat.completions.create(model=MODEL, messages=user("remind me to water the plants"))
    content = resp.choices[0].message.content
    assert resp.choices[0].finish_reason == "stop" and not resp.choices[0].message.tool_calls
    block = content.split("<TOOL_CALLS>")[1].split("</TOOL_CALLS>")[0]
    assert json.loads(block) == {"tools": [{"name": "add_task", "params": {"title": "water the plants"}}]}
    srv.push_reply(Reply(content="plain", tool_calls=[ToolCall("add_task", {"title": "x"})]))
    resp = client.chat.completions.create(model=MODEL, messages=user("x"))
    assert resp.choices[0].message.content == "plain" and not resp.choices[0].message.tool_calls


def test_compound_flow_native(client):
    messages = user("show my pending tasks and mark the first one done")
    step1 = client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS).choices[0].message
    assert [(c.function.name, json.loads(c.function.arguments)) for c in step1.tool_calls] == [
        ("list_tasks", {"status": "pending"})
    ]
    tool_turn(messages, step1, [PENDING])
    step2 = client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS).choices[0].message
    assert [(c.function.name, json.loads(c.function.arguments)) for c in step2.tool_calls] == [
        ("complete_task", {"task_id": 7})
    ]
    tool_turn(messages, step2, [{"task_id": 7, "status": "completed", "title": "Buy milk"}])
    final = client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS).choices[0]
    assert final.finish_reason == "stop" and not final.message.tool_calls
    assert "Buy milk" in final.message.content and "#7" in final.message.content
    assert "- **Walk the dog** (#9)" in final.message.content

    # A later turn resolves an ordinal against that earlier list.
    messages += [
        {"role": "assistant", "content": final.message.content},
        {"role": "user", "content": "delete the second one"},
    ]
    step = client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS).choices[0].message
    assert json.loads(step.tool_calls[0].function.arguments) == {"task_id": 9}


def test_title_match_lists_first_in_prompt_mode(client):
    messages = user("mark buy milk as done")
    content = client.chat.completions.create(model=MODEL, messages=messages).choices[0].message.content
    assert '"list_tasks"' in content and '"pending"' in content
    results = {"results": [{"name": "list_tasks", "params": {"status": "pending"}, "result": PENDING}]}
    messages += [
        {"role": "assistant", "content": content},
        {"role": "user", "content": f"<TOOL_RESULTS>{json.dumps(results)}</TOOL_RESULTS>"},
    ]
    content = client.chat.completions.create(model=MODEL, messages=messages).choices[0].message.content
    assert '{"name": "complete_task", "params": {"task_id": 7}}' in content
    results = {
        "results": [
            {
                "name": "complete_task",
                "params": {"task_id": 7},
                "result": {"error": "not_found", "message": "Task 7 does not exist."},
            }
        ]
    }
    messages += [
        {"role": "assistant", "content": content},
        {"role": "user", "content": f"<TOOL_RESULTS>{json.dumps(results)}</TOOL_RESULTS>"},
    ]
    content = client.chat.completions.create(model=MODEL, messages=messages).choices[0].message.content
    assert "<TOOL_CALLS>" not in content and "Task 7 does not exist." in content


def test_tool_choice_none_forces_text(client):
    messages = user("show my pending tasks and mark the first one done")
    step1 = client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS).choices[0].message
    tool_turn(messages, step1, [PENDING])
    final = client.chat.completions.create(model=MODEL, messages=messages, tools=TOOLS, tool_choice="none")
    assert final.choices[0].finish_reason == "stop" and not final.choices[0].message.tool_calls
    assert "**Buy milk** (#7)" in final.choices[0].message.content


def test_prompt_mode_results_without_params(client):
    """Replayed prompt-mode history carries only name + result per entry."""
    block = '<TOOL_CALLS>{"tools": [{"name": "add_task", "params": {"title": "call mom"}}]}</TOOL_CALLS>'
    results = {
        "results": [{"name": "add_task", "result": {"task_id": 4, "status": "created", "title": "call mom"}}]
    }
    messages = user("add task: call mom") + [
        {"role": "assistant", "content": block},
        {"role": "user", "content": f"<TOOL_RESULTS>{json.dumps(results)}</TOOL_RESULTS>"},
        {"role": "assistant", "content": "Added **call mom** (#4) to your list."},
        {"role": "user", "content": "mark it done"},
    ]
    content = client.chat.completions.create(model=MODEL, messages=messages).choices[0].message.content
    assert '{"name": "complete_task", "params": {"task_id": 4}}' in content


def test_async_client_streams_tool_call(srv):
    async def run() -> dict[str, Any]:
        async with groq.AsyncGroq(base_url=srv.base_url, api_key="test", max_retries=0, timeout=5) as c:
            stream = await c.chat.completions.create(
                model=MODEL, messages=user("delete task 2"), tools=TOOLS, stream=True
            )
            out: dict[str, Any] = {"args": "", "name": "", "finish": None}
            async for chunk in stream:
                for tc in chunk.choices[0].delta.tool_calls or []:
                    out["name"] += tc.function.name or ""
                    out["args"] += tc.function.arguments or ""
                out["finish"] = chunk.choices[0].finish_reason or out["finish"]
            return out

    out = asyncio.run(run())
    assert out == {"name": "delete_task", "args": '{"task_id": 2}', "finish": "tool_calls"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add a task to buy milk", [("add", {"title": "buy milk"}, None)]),
        ("add task: call mom", [("add", {"title": "call mom"}, None)]),
        ("Remind me to water the plants.", [("add", {"title": "water the plants"}, None)]),
        (
            "add buy bread with description whole grain",
            [("add", {"title": "buy bread", "description": "whole grain"}, None)],
        ),
        ("show my tasks", [("list", {"status": "all"}, None)]),
        ("list my pending tasks", [("list", {"status": "pending"}, None)]),
        ("What have I completed?", [("list", {"status": "completed"}, None)]),
        ("complete task 3", [("complete", {}, ("id", 3))]),
        ("mark #3 as done", [("complete", {}, ("id", 3))]),
        ("delete task 2", [("delete", {}, ("id", 2))]),
        ("remove task 2", [("delete", {}, ("id", 2))]),
        ("rename task 4 to Pay rent", [("update", {"title": "Pay rent"}, ("id", 4))]),
        ("change the description of task 4 to monthly", [("update", {"description": "monthly"}, ("id", 4))]),
        ("mark the first one done", [("complete", {}, ("ordinal", 1))]),
        ("delete the second one", [("delete", {}, ("ordinal", 2))]),
        ("mark buy milk as done", [("complete", {}, ("title", "buy milk"))]),
        (
            "show my pending tasks and mark the first one done",
            [("list", {"status": "pending"}, None), ("complete", {}, ("ordinal", 1))],
        ),
        ("please add a task to buy salt and pepper", [("add", {"title": "buy salt and pepper"}, None)]),
        ("what's the weather like?", []),
    ],
)
def test_brain_understands(text, expected):
    got = [
        (i.action, i.args, (i.target.kind, i.target.value) if i.target else None) for i in parse_request(text)
    ]
    assert got == expected


# ---- validation --------------------------------------------------------------------------------------------


def test_invalid_key_and_unknown_model(srv):
    with (
        groq.Groq(base_url=srv.base_url, api_key="invalid-key", max_retries=0) as bad,
        pytest.raises(groq.AuthenticationError) as err,
    ):
        bad.chat.completions.create(model=MODEL, messages=user("hi"))
    assert err.value.body["error"]["code"] == "invalid_api_key"
    with (
        groq.Groq(base_url=srv.base_url, api_key="test", max_retries=0) as c,
        pytest.raises(groq.NotFoundError) as err,
    ):
        c.chat.completions.create(model="gpt-4o", messages=user("hi"))
    assert err.value.body["error"]["code"] == "model_not_found"


@pytest.mark.parametrize(
    "messages",
    [
        [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "ok", "reasoning": "secret"},
            {"role": "user", "content": "again"},
        ],
        [{"role": "user", "content": "hi"}, {"role": "tool", "content": "{}"}],
        [{"role": "wizard", "content": "hi"}],
        [],
    ],
)
def test_bad_messages_are_rejected(client, messages):
    with pytest.raises(groq.BadRequestError) as err:
        client.chat.completions.create(model=MODEL, messages=messages)
    assert set(err.value.body["error"]) >= {"message", "type", "code"}


def test_reasoning_format_with_include_reasoning_and_bad_json(client, srv):
    with pytest.raises(groq.BadRequestError):
        client.chat.completions.create(
            model=MODEL, messages=user("hi"), include_reasoning=True, reasoning_format="parsed"
        )
    with pytest.raises(groq.BadRequestError):
        client.chat.completions.create(model=MODEL, messages=user("hi"), tool_choice="auto")
    resp = httpx.post(
        f"{srv.base_url}/openai/v1/chat/completions",
        content=b"{nope",
        headers={"Authorization": "Bearer test", "Content-Type": "application/json"},
    )
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "invalid_json"
    resp = httpx.post(
        f"{srv.base_url}/openai/v1/chat/completions", json={"model": MODEL, "messages": user("x")}
    )
    assert resp.status_code == 401


# ---- faults ------------------------------------------------------------------------------------------------


def test_status_faults_map_to_sdk_exceptions(client, srv):
    srv.push_fault(Fault(kind="status", status=429, retry_after=7))
    with pytest.raises(groq.RateLimitError) as err:
        client.chat.completions.create(model=MODEL, messages=user("hi"))
    assert err.value.response.headers["retry-after"] == "7"
    assert err.value.body["error"]["code"] == "rate_limit_exceeded"
    for status, exc in (
        (401, groq.AuthenticationError),
        (413, groq.APIStatusError),
        (503, groq.InternalServerError),
        (498, groq.APIStatusError),
    ):
        srv.push_fault(Fault(kind="status", status=status, code="custom", message="boom"))
        with pytest.raises(exc) as err:
            client.chat.completions.create(model=MODEL, messages=user("hi"), stream=True)
        assert err.value.status_code == status and err.value.body["error"]["message"] == "boom"


def test_fault_count_then_recovery(client, srv):
    srv.push_fault(Fault(kind="status", status=502, count=2))
    for _ in range(2):
        with pytest.raises(groq.InternalServerError):
            client.chat.completions.create(model=MODEL, messages=user("hi"))
    assert client.chat.completions.create(model=MODEL, messages=user("hi")).choices[0].finish_reason == "stop"
    assert len(srv.requests) == 3


def test_tool_use_failed(client, srv):
    srv.push_fault(Fault(kind="tool_use_failed", failed_generation='add_task{"title": '))
    with pytest.raises(groq.BadRequestError) as err:
        client.chat.completions.create(model=MODEL, messages=user("add a task to x"), tools=TOOLS)
    assert err.value.body["error"]["code"] == "tool_use_failed"
    assert err.value.body["error"]["failed_generation"] == 'add_task{"title": '


def test_drop_gives_connection_error(client, srv):
    srv.push_fault(Fault(kind="drop"))
    with pytest.raises(groq.APIConnectionError):
        client.chat.completions.create(model=MODEL, messages=user("hi"))
    assert client.chat.completions.create(model=MODEL, messages=user("hi")).choices[0].message.content


def test_stall_times_out(srv):
    srv.push_fault(Fault(kind="stall", seconds=1.5))
    with (
        groq.Groq(base_url=srv.base_url, api_key="test", max_retries=0, timeout=0.2) as c,
        pytest.raises(groq.APITimeoutError),
    ):
        c.chat.completions.create(model=MODEL, messages=user("hi"))
    srv.push_fault(Fault(kind="stall", seconds=1.5, after_chunks=2))
    with groq.Groq(base_url=srv.base_url, api_key="test", max_retries=0, timeout=0.2) as c:
        stream = c.chat.completions.create(model=MODEL, messages=user("hi"), stream=True)
        with pytest.raises(httpx.ReadTimeout):
            collect(stream)


def test_break_mid_stream(client, srv):
    srv.push_fault(Fault(kind="break", after_chunks=3))
    seen = []
    with pytest.raises(httpx.RemoteProtocolError):
        for chunk in client.chat.completions.create(model=MODEL, messages=user("hi"), stream=True):
            seen.append(chunk)
    assert len(seen) == 3


def test_sse_error_mid_stream(client, srv):
    srv.push_fault(Fault(kind="sse_error", after_chunks=2, message="model crashed"))
    seen = []
    with pytest.raises(groq.APIError) as err:
        for chunk in client.chat.completions.create(model=MODEL, messages=user("hi"), stream=True):
            seen.append(chunk)
    assert len(seen) == 2 and "model crashed" in str(err.value)
    assert client.chat.completions.create(model=MODEL, messages=user("hi")).choices[0].message.content


def test_slow_stream_can_be_closed_early(client, srv):
    srv.push_fault(Fault(kind="slow", seconds=0.05))
    start = time.monotonic()
    stream = client.chat.completions.create(model=MODEL, messages=user("write a long story"), stream=True)
    for n, _chunk in enumerate(stream):
        if n == 3:
            break
    stream.close()
    assert time.monotonic() - start < 1.0
    deadline = time.monotonic() + 2
    while srv.disconnects == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.disconnects >= 1  # a stalled handler from an earlier test may also count


# ---- HTTP framing and control surface ----------------------------------------------------------------------


def test_keep_alive_across_stream_and_json(srv):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    headers = {"Authorization": "Bearer test", "Content-Type": "application/json"}
    for stream in (True, False, True):
        conn.request(
            "POST",
            "/openai/v1/chat/completions",
            headers=headers,
            body=json.dumps({"model": MODEL, "messages": user("hi"), "stream": stream}),
        )
        resp = conn.getresponse()
        body = resp.read().decode()
        assert resp.status == 200 and not resp.will_close
        if stream:
            assert resp.getheader("Transfer-Encoding") == "chunked"
            assert body.endswith("data: [DONE]\n\n") and body.startswith("data: {")
    conn.close()


def test_control_endpoints_over_http(srv, client):
    base = f"{srv.base_url}/_emulator"
    assert httpx.post(f"{base}/faults", json={"kind": "status", "status": 503}).json() == {"ok": True}
    assert (
        httpx.post(
            f"{base}/replies",
            json={"content": "scripted!", "tool_calls": [{"name": "add_task", "arguments": {"title": "t"}}]},
        ).status_code
        == 200
    )
    assert httpx.post(f"{base}/faults", json={"kind": "nonsense"}).status_code == 400
    with pytest.raises(groq.InternalServerError):
        client.chat.completions.create(model=MODEL, messages=user("hi"))
    msg = client.chat.completions.create(model=MODEL, messages=user("hi"), tools=TOOLS).choices[0].message
    assert msg.content == "scripted!" and msg.tool_calls[0].function.name == "add_task"
    recorded = httpx.get(f"{base}/requests").json()
    assert [r["messages"][-1]["content"] for r in recorded] == ["hi", "hi"]
    httpx.post(f"{base}/faults", json={"kind": "drop"})
    assert httpx.post(f"{base}/reset").status_code == 200
    assert httpx.get(f"{base}/requests").json() == []
    assert client.chat.completions.create(model=MODEL, messages=user("hi")).choices[0].finish_reason == "stop"


def test_cli_starts_a_server():
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "groq_emulator", "--port", "0", "--chunk-delay", "0"],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = line.split(" on ")[1].split()[0]
        with groq.Groq(base_url=url, api_key="test", max_retries=0) as c:
            assert c.chat.completions.create(model=MODEL, messages=user("hi")).choices[0].message.content
    finally:
        proc.terminate()
        proc.wait(5)
