"""What the model is told: the system prompt and the history, trimmed to a token budget.

History keeps earlier tool calls and results (so "mark the first one done" works on the next turn) and never
earlier reasoning, nor what the user replaced (a regenerated reply, an edited question and its reply). Stored messages are rendered by the tool protocol in use (chat.turn.protocols).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from chat.models import Message
from chat.turn.calls import ToolCall
from chat.turn.protocols import ToolProtocol, ToolResult, protocol_for
from tasks.clock import today as local_today
from tasks.labels import DAY_NAMES, MONTH_NAMES

# Only the date changes in here (never the time), so the prompt and the tool schemas stay one cacheable prefix
# for the whole of the user's day.
_BASE_PROMPT = """You are a helpful todo assistant. Today is {today} ({tz}).
You manage the user's tasks with your tools: add_task, list_tasks, complete_task, reopen_task, delete_task,
restore_task and update_task. The user is always the person you are talking to; never ask who they are.
- Dates: pass the user's own words in `due` ("tomorrow 5pm", "friday", "dec 24", "in 3 days"); the server works out
  the date in the user's time zone. Never compute dates yourself. Confirm with the due_label the result gives.
- Repeats go in `repeat` in words ("every monday", "daily"); "urgent"/"important" means priority high.
- For "what's due today", "overdue", "high priority" or "about X", use list_tasks' due, priority and query filters.
- To act on a task by its title or position ("the first one"), call list_tasks first and use the real id it returns.
- Never invent task ids. If a tool returns an error, explain it briefly and suggest what to do.
- After acting, confirm in one or two short sentences. Use markdown lists when showing several tasks.
- Only answer about the user's tasks and how to organise them; politely decline anything else."""


def today_line(tz: str, now: dt.datetime | None = None) -> str:
    """The user's today, spelled out: "Thursday 26 November 2026" (English names, whatever the server locale)."""
    day = local_today(tz, now)
    return f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def system_prompt(protocol: str | ToolProtocol, *, tz: str = "UTC", now: dt.datetime | None = None) -> str:
    """The system prompt for a user in zone `tz` (an IANA name) at `now` (default: the current instant)."""
    text = _BASE_PROMPT.format(today=today_line(tz, now), tz=tz)
    return text + protocol_for(protocol).prompt_addendum()


def estimate_tokens(message: dict) -> int:
    """A cheap, conservative estimate (about 4 characters a token, plus framing)."""
    return 4 + len(json.dumps(message, ensure_ascii=False)) // 4


# The fewest tokens a stored row adds to a prompt, on average: a user or assistant message is at least 12
# ({"role": "user", "content": "x"}), a tool result at least as much, and a turn holds at most one row that renders
# to nothing (an empty failed reply) for its user row. So no more than budget // 6 rows can ever fit the budget.
MIN_ROW_TOKENS = 6


def history_rows(budget: int) -> int:
    """The most stored messages any prompt can hold: the turns kept fit `budget`, so they hold at most
    budget // MIN_ROW_TOKENS rows; the current turn is one more, and a turn cut at the window's edge renders to
    nothing (it starts without its user message)."""
    return max(budget, 0) // MIN_ROW_TOKENS + 2


# The newest rows a turn loads first (most conversations are shorter); each older page is twice the last.
FIRST_PAGE_ROWS = 64

Turns = list[list[dict]]  # a prompt's turns, each its wire messages

# (the oldest row loaded so far or None, how many) → that many rows just older, oldest first
LoadOlder = Callable[[Any, int], Sequence[Any]]


def history_window(load_older: LoadOlder, protocol: str | ToolProtocol, budget: int) -> Turns:
    """The newest whole turns that fit `budget` tokens (the current turn always does), rendered, oldest first.
    Rows are loaded newest page first, and an older page only while every whole turn so far fits: a long
    conversation costs what its prompt holds, not the history_rows(budget) rows that could fit at 6 tokens a row."""
    protocol = protocol_for(protocol)
    cap = history_rows(budget)
    kept: Turns = []  # newest turn first
    tail: list = []  # the oldest rows loaded: the end of a turn whose user message is older still
    oldest = None
    used = loaded = 0
    size, spent = FIRST_PAGE_ROWS, False
    while (loaded < cap or not kept) and not spent:
        want = min(size, cap - loaded) if kept else size  # the current turn, however long, always comes whole
        page = list(load_older(oldest, want))
        loaded += len(page)
        oldest = page[0] if page else oldest
        rows = page + tail
        starts = [i for i, m in enumerate(rows) if m.role == Message.Role.USER and m.replaced_at is None]
        tail = rows[: starts[0]] if starts else rows
        for start, end in reversed(list(zip(starts, [*starts[1:], len(rows)], strict=True))):
            turn = [m for t in render_turns(rows[start:end], protocol) for m in t]
            cost = sum(estimate_tokens(m) for m in turn)
            if kept and used + cost > budget:
                spent = True
                break
            kept.append(turn)
            used += cost
        if len(page) < want:
            break
        size *= 2
    return kept[::-1]


def prompt_messages(
    turns: Iterable[list[dict]],
    protocol: str | ToolProtocol,
    *,
    tz: str = "UTC",
    now: dt.datetime | None = None,
) -> list[dict]:
    """The system prompt, then the turns' messages."""
    system = {"role": "system", "content": system_prompt(protocol, tz=tz, now=now)}
    return [system, *(m for turn in turns for m in turn)]


def render_turns(messages: Iterable[Message], protocol: str | ToolProtocol) -> list[list[dict]]:
    """Stored messages → wire messages, grouped by turn (a user message and everything after it)."""
    protocol = protocol_for(protocol)
    turns: list[list[dict]] = []
    calls: list[ToolCall] = []  # the latest round's calls, waiting for their results
    results: list[ToolResult] = []

    def flush_results() -> None:
        if turns:
            turns[-1].extend(protocol.results_messages(_answer_every_call(calls, results)))
        calls.clear()
        results.clear()

    for m in messages:
        if m.replaced_at is not None:  # a regenerated reply or an edited question: not the current branch
            continue
        if m.role == Message.Role.TOOL:
            results.append(ToolResult(m.tool_call_id, m.tool_name, m.content))
            continue
        flush_results()
        if m.role == Message.Role.USER:
            turns.append([{"role": "user", "content": m.content}])
        elif not turns:
            continue  # a transcript never starts with the assistant; skip anything orphaned
        elif m.tool_calls:
            calls.extend(ToolCall.from_stored(c) for c in m.tool_calls)
            turns[-1].append(protocol.calls_message(m.content, calls))
        elif m.content:
            turns[-1].append({"role": "assistant", "content": m.content})
    flush_results()
    return turns


_UNANSWERED = json.dumps({"error": "interrupted", "message": "This call was interrupted before it finished."})


def _answer_every_call(calls: list[ToolCall], results: list[ToolResult]) -> list[ToolResult]:
    """A round's results, with an "interrupted" result for any call that has none: a history must never send
    a call without its result (OpenAI-style APIs refuse it, and the conversation would be stuck for good)."""
    answered = {r.call_id for r in results if r.call_id}
    return results + [ToolResult(c.id, c.name, _UNANSWERED) for c in calls if c.id not in answered]
