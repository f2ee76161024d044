"""What the model is told: the system prompt and the history, trimmed to a token budget.

History keeps earlier tool calls and results (so "mark the first one done" works on the next turn) and never
earlier reasoning. Stored messages are rendered for the tool mode in use: native `tool_calls`/`tool` messages,
or the `<TOOL_CALLS>` block protocol with results fed back as a user message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from chat import tool_block
from chat.models import Message
from chat.tools import TOOLS

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


def _tool_results_message(results: list[dict]) -> dict:
    return {
        "role": "user",
        "content": "<TOOL_RESULTS>" + json.dumps({"results": results}) + "</TOOL_RESULTS>",
    }


def _parsed(raw: str) -> dict:
    try:
        value = json.loads(raw)
    except (TypeError, json.JSONDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def render_turns(messages: Iterable[Message], mode: str) -> list[list[dict]]:
    """Stored messages → wire messages, grouped by turn (a user message and everything after it)."""
    turns: list[list[dict]] = []
    pending_results: list[dict] = []
    for m in messages:
        if m.role == Message.Role.USER:
            turns.append([{"role": "user", "content": m.content}])
            continue
        if not turns:
            continue  # a transcript never starts with the assistant; skip anything orphaned
        turn = turns[-1]
        if m.role == Message.Role.TOOL:
            if mode == NATIVE:
                # A prompt-mode report on a malformed block answers no call: Groq refuses a tool message
                # without a tool_call_id, which would break the conversation after a GROQ_TOOL_MODE change.
                if m.tool_call_id:
                    turn.append({"role": "tool", "tool_call_id": m.tool_call_id, "content": m.content})
            else:
                pending_results.append({"name": m.tool_name, "result": _parsed(m.content)})
            continue
        if pending_results:
            turn.append(_tool_results_message(pending_results))
            pending_results = []
        if m.tool_calls and mode == NATIVE:
            calls = [
                {
                    "id": c["id"],
                    "type": "function",
                    "function": {"name": c["name"], "arguments": c["arguments"]},
                }
                for c in m.tool_calls
            ]
            turn.append({"role": "assistant", "content": m.content or None, "tool_calls": calls})
        elif m.tool_calls:
            block = tool_block.render([(c["name"], _parsed(c["arguments"])) for c in m.tool_calls])
            turn.append({"role": "assistant", "content": f"{m.content}\n{block}".strip()})
        elif m.content:
            turn.append({"role": "assistant", "content": m.content})
    if pending_results and turns:
        turns[-1].append(_tool_results_message(pending_results))
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
