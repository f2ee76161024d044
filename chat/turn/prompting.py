"""What the model is told: the system prompt and the history, trimmed to a token budget.

History keeps earlier tool calls and results (so "mark the first one done" works on the next turn) and never
earlier reasoning. Stored messages are rendered for the tool mode in use: native `tool_calls`/`tool` messages,
or the `<TOOL_CALLS>` block protocol with results fed back as a user message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from chat.models import Message
from chat.turn import tool_block
from chat.turn.tools import TOOLS

NATIVE = "native"
PROMPT = "prompt"

_BASE_PROMPT = """You are a helpful todo assistant. Today is {today}.
You manage the user's tasks with the tools you are given: add_task, list_tasks, complete_task, delete_task and
update_task. The user is always the person you are talking to; never ask who they are.
- To act on a task by its title or position ("the first one"), call list_tasks first and use the real id it returns.
- Never invent task ids. If a tool returns an error, explain it briefly and suggest what to do.
- After acting, confirm in one or two short sentences. Use markdown lists when showing several tasks.
- Only answer about the user's tasks and how to organise them; politely decline anything else."""

_PROMPT_MODE_TOOLS = """
To use a tool, write exactly one block like this (nothing else on those lines), then stop and wait:
<TOOL_CALLS>{{"tools": [{{"name": "add_task", "params": {{"title": "Buy milk"}}}}]}}</TOOL_CALLS>
You may list several calls in "tools". The results come back in a user message inside <TOOL_RESULTS>…</TOOL_RESULTS>;
that message is from the system, not the user. Available tools (JSON schema of params):
{catalog}"""


def system_prompt(mode: str, today: date | None = None) -> str:
    text = _BASE_PROMPT.format(today=(today or date.today()).isoformat())
    if mode == PROMPT:
        catalog = "\n".join(
            f"- {t.name}: {t.description} params={json.dumps(t.parameters['properties'])}"
            for t in TOOLS.values()
        )
        text += _PROMPT_MODE_TOOLS.format(catalog=catalog)
    return text


def estimate_tokens(message: dict) -> int:
    """A cheap, conservative estimate (about 4 characters a token, plus framing)."""
    return 4 + len(json.dumps(message, ensure_ascii=False)) // 4


def _parsed(raw: str) -> dict:
    try:
        value = json.loads(raw)
    except (TypeError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def calls_message(mode: str, content: str, calls: list[dict], *, raw: str | None = None) -> dict:
    """The assistant asking for tool calls (`[{"id", "name", "arguments"}]`), as the model must see it.

    In prompt mode `raw` (the model's own text, block included) is sent as it was written when we have it —
    the live loop does, so the model sees exactly what a malformed block looked like; history re-renders it."""
    if mode == NATIVE:
        wire = [
            {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
            for c in calls
        ]
        return {"role": "assistant", "content": content or None, "tool_calls": wire}
    if raw is not None:
        return {"role": "assistant", "content": raw}
    block = tool_block.render([(c["name"], _parsed(c["arguments"])) for c in calls]) if calls else ""
    return {"role": "assistant", "content": f"{content}\n{block}".strip()}


def results_messages(mode: str, results: list[tuple[str, str, str]]) -> list[dict]:
    """Tool results `(call_id, tool_name, result_json)`: one `tool` message each (native), or one
    `<TOOL_RESULTS>` user message for them all (prompt mode)."""
    if mode == NATIVE:
        # A prompt-mode report on a malformed block answers no call: Groq refuses a tool message without a
        # tool_call_id, which would break the conversation after a GROQ_TOOL_MODE change.
        return [
            {"role": "tool", "tool_call_id": call_id, "content": content}
            for call_id, _, content in results
            if call_id
        ]
    if not results:
        return []
    payload = {"results": [{"name": name, "result": _parsed(content)} for _, name, content in results]}
    return [{"role": "user", "content": "<TOOL_RESULTS>" + json.dumps(payload) + "</TOOL_RESULTS>"}]


def render_turns(messages: Iterable[Message], mode: str) -> list[list[dict]]:
    """Stored messages → wire messages, grouped by turn (a user message and everything after it)."""
    turns: list[list[dict]] = []
    results: list[tuple[str, str, str]] = []

    def flush_results() -> None:
        if turns:
            turns[-1].extend(results_messages(mode, results))
        results.clear()

    for m in messages:
        if m.role == Message.Role.TOOL:
            results.append((m.tool_call_id, m.tool_name, m.content))
            continue
        flush_results()
        if m.role == Message.Role.USER:
            turns.append([{"role": "user", "content": m.content}])
        elif not turns:
            continue  # a transcript never starts with the assistant; skip anything orphaned
        elif m.tool_calls:
            turns[-1].append(calls_message(mode, m.content, m.tool_calls))
        elif m.content:
            turns[-1].append({"role": "assistant", "content": m.content})
    flush_results()
    return turns


def build_messages(
    history: Iterable[Message], mode: str, budget: int, today: date | None = None
) -> list[dict]:
    """System prompt + the newest whole turns that fit `budget` tokens (the current turn always fits)."""
    turns = render_turns(history, mode)
    kept: list[list[dict]] = []
    used = 0
    for turn in reversed(turns):
        cost = sum(estimate_tokens(m) for m in turn)
        if kept and used + cost > budget:
            break
        kept.append(turn)
        used += cost
    return [{"role": "system", "content": system_prompt(mode, today)}] + [
        m for turn in reversed(kept) for m in turn
    ]
