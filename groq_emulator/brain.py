"""The stateless rule-based "model": reads the whole conversation and decides the next step.

Steps are planned from the latest user message; tool results after it (native `tool` messages or prompt-mode
`<TOOL_RESULTS>` blocks) tell which step comes next. When every step is done it writes a final answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from . import answers
from .faults import Reply, ToolCall
from .intents import GREETING, LONG, Intent, parse_request

_RESULTS = re.compile(r"<TOOL_RESULTS>(.*?)(?:</TOOL_RESULTS>|$)", re.S)


@dataclass
class Result:
    """One tool result seen in the history."""

    name: str
    params: dict[str, Any]
    result: Any


@dataclass
class State:
    """What the walk over this turn's plan knows so far."""

    latest_list: list[dict[str, Any]] | None = None
    last_id: int | None = None
    fresh: bool = False  # a list was fetched during this turn
    deleted: dict[int, str] = field(default_factory=dict)  # id -> title, in the order they were deleted
    undoable: tuple[str, int] | None = None  # the last delete or completion: ("deleted" | "completed", id)
    events: list[tuple[str, Any]] = field(
        default_factory=list
    )  # ("result", (Result, explicit)) | ("note", str)

    def see(self, res: Result) -> None:
        data = res.result if isinstance(res.result, dict) else {}
        if isinstance(data.get("tasks"), list):
            self.latest_list = [t for t in data["tasks"] if isinstance(t, dict)]
            return
        task_id = data.get("task_id")
        if not isinstance(task_id, int):
            return
        self.last_id = task_id
        status = data.get("status")
        if status in ("deleted", "completed"):
            self.undoable = (status, task_id)
        if status == "deleted":
            self.deleted.pop(task_id, None)
            self.deleted[task_id] = str(data.get("title", ""))
        elif status == "restored":
            self.deleted.pop(task_id, None)
        if status in ("restored", "reopened") and self.undoable and self.undoable[1] == task_id:
            self.undoable = None


def text_of(content: Any) -> str:
    """Message content as text (strings or lists of text parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def read_history(messages: list[dict[str, Any]]) -> tuple[str, list[Result], list[Result]]:
    """Return (latest user request, results before it, results after it)."""
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    results: list[tuple[int, Result]] = []
    user_at, user_text = -1, ""
    for i, msg in enumerate(messages):
        role, text = msg.get("role"), text_of(msg.get("content"))
        if role == "assistant":
            for call in msg.get("tool_calls") or []:
                fn = call.get("function") or {}
                params = _loads(fn.get("arguments") or "{}")
                calls[call.get("id", "")] = (fn.get("name", ""), params if isinstance(params, dict) else {})
        elif role == "tool":
            name, params = calls.get(msg.get("tool_call_id", ""), ("", {}))
            results.append((i, Result(name, params, _loads(text))))
        elif role == "user" and text.lstrip().startswith("<TOOL_RESULTS>"):
            match = _RESULTS.search(text)
            data = _loads(match.group(1).strip()) if match else None
            entries = data.get("results", []) if isinstance(data, dict) else []
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict):
                    params = entry.get("params") if isinstance(entry.get("params"), dict) else {}
                    results.append((i, Result(str(entry.get("name", "")), params, entry.get("result"))))
        elif role == "user":
            user_at, user_text = i, text
    before = [r for i, r in results if i < user_at]
    after = [r for i, r in results if i > user_at]
    return user_text, before, after


def _call(intent: Intent, task_id: int | None = None) -> ToolCall:
    if intent.action == "add":
        return ToolCall("add_task", dict(intent.args))
    if intent.action == "list":
        return ToolCall("list_tasks", dict(intent.args))
    args: dict[str, Any] = {"task_id": task_id}
    if intent.action == "update":
        args.update(intent.args)
    return ToolCall(f"{intent.action}_task", args)


def _undo(state: State) -> tuple[ToolCall | None, str | None]:
    """ "undo": restore the task deleted last, or reopen the one completed last, whichever came later."""
    if state.undoable is None:
        return None, "I don't see a delete or a completion in this conversation that I could undo."
    kind, task_id = state.undoable
    return ToolCall("restore_task" if kind == "deleted" else "reopen_task", {"task_id": task_id}), None


def _resolve(intent: Intent, state: State) -> tuple[int | None, str | None]:
    """Find the task id for an ordinal/title/'it' target: (id, None), (None, note) or (None, None) = need a list."""
    target = intent.target
    assert target is not None
    if target.kind == "it":
        return (state.last_id, None) if state.last_id else (None, "I'm not sure which task you mean.")
    if target.kind == "deleted" or (intent.action == "restore" and target.kind == "title"):
        return _resolve_deleted(target, state)
    if state.latest_list is None:
        return None, None
    tasks = state.latest_list
    if target.kind == "ordinal":
        n = target.value
        if not tasks or n == 0 or abs(n) > len(tasks) or n < -1:
            return None, f"There is no task number {n} in your latest list ({len(tasks)} task(s))."
        return tasks[n - 1 if n > 0 else -1].get("id"), None
    wanted = str(target.value).lower()
    exact = [t for t in tasks if str(t.get("title", "")).lower() == wanted]
    fuzzy = exact or [t for t in tasks if wanted in str(t.get("title", "")).lower()]
    if len(fuzzy) == 1 or exact:
        return fuzzy[0].get("id"), None
    if fuzzy:
        return None, f'Several tasks match "{target.value}"; please tell me the task number.'
    return None, f'I couldn\'t find a task called "{target.value}".'


def _resolve_deleted(target: Any, state: State) -> tuple[int | None, str | None]:
    """Deleted tasks are in no list: find them among this conversation's delete results."""
    found = list(state.deleted.items())
    if target.kind == "title":
        wanted = str(target.value).lower()
        found = [(i, t) for i, t in found if wanted in t.lower()]
    if found:
        return found[-1][0], None
    return None, "I don't see that task among the ones deleted in this conversation; tell me its number."


def plan(intents: list[Intent], before: list[Result], after: list[Result]) -> tuple[list[ToolCall], State]:
    """Walk the plan against the results already in: the calls to make next (empty = done) and the state."""
    state = State()
    for res in before:
        state.see(res)
    queue = list(after)
    pending: list[ToolCall] = []

    def step(call: ToolCall, explicit: bool) -> bool:
        """Consume the matching result if present; else schedule the call. True when the result is in."""
        if pending or not queue:
            pending.append(call)
            return False
        res = queue.pop(0)
        state.see(res)
        state.fresh = state.fresh or call.name == "list_tasks"
        state.events.append(("result", (res, explicit)))
        return True

    for intent in intents:
        if intent.action == "undo":
            if pending:
                break
            call, note = _undo(state)
            if call is None:
                state.events.append(("note", note))
                continue
            step(call, True)
            continue
        if intent.action in ("add", "list") or (intent.target and intent.target.kind == "id"):
            task_id = intent.target.value if intent.target else None
            if not step(_call(intent, task_id), True) and intent.action == "list":
                break
            continue
        if pending:
            break  # this step depends on results still to come
        task_id, note = _resolve(intent, state)
        stale_title = (
            bool(note)
            and intent.target is not None
            and intent.target.kind == "title"
            and intent.action != "restore"  # deleted tasks are in no list
            and not state.fresh
        )
        if (task_id is None and note is None) or stale_title:
            first = "completed" if intent.action == "reopen" else "pending"
            status = first if state.latest_list is None else "all"
            if not step(ToolCall("list_tasks", {"status": status}), False):
                break
            task_id, note = _resolve(intent, state)
        if note:
            state.events.append(("note", note))
            continue
        step(_call(intent, task_id), True)
    return pending, state


def respond(messages: list[dict[str, Any]], native: bool, allow_tools: bool = True) -> Reply:
    """The brain's reply to a conversation.

    `native` chooses native tool calls vs the <TOOL_CALLS> text block; `allow_tools=False` (tool_choice "none")
    forces a text answer about what is done so far.
    """
    text, before, after = read_history(messages)
    if LONG.search(text):
        return Reply(
            content=answers.long_story(),
            reasoning="The user wants a long piece of writing, so I will "
            "write a long, calm story about an organised day.",
        )
    intents = parse_request(text)
    if not intents and after:  # calls it did not plan (a scripted round): still report what they did
        events: list[tuple[str, Any]] = [("result", (res, True)) for res in after]
        return Reply(
            content=answers.summary(events),
            reasoning="Tools already ran for this request, so I will report their results.",
        )
    if not intents and (chat := answers.small_talk(text)):
        return Reply(
            content=chat,
            reasoning="The user is just being friendly; no task action is needed, so a short friendly answer.",
        )
    if not intents:
        hello = bool(GREETING.match(text.strip()))
        return Reply(
            content=answers.help_text(hello),
            reasoning="The user's message does not map to a task action I understand, so I will explain "
            "what the offline demo assistant can do.",
        )
    calls, state = plan(intents, before, after)
    wants = "The user wants to " + "; then ".join(i.describe() for i in intents) + "."
    if not calls:
        return Reply(
            content=answers.summary(state.events),
            reasoning=f"{wants} All the needed tool calls are done, so I will summarise the results.",
        )
    if not allow_tools:
        so_far = answers.summary(state.events) + "\n\n" if state.events else ""
        return Reply(
            content=so_far + "I couldn't finish everything: I'm not allowed to use tools for this reply. "
            "Ask me again to continue.",
            reasoning=f"{wants} Tools are switched off for this reply, so I will report what is done.",
        )
    names = ", ".join(f"{c.name}({c.arguments_json})" for c in calls)
    done = sum(1 for kind, _ in state.events if kind == "result")
    progress = f" {done} step(s) are already done." if done else ""
    reasoning = f"{wants}{progress} Next I will call {names}."
    if native:
        return Reply(reasoning=reasoning, tool_calls=calls)
    block = json.dumps(
        {"tools": [{"name": c.name, "params": c.arguments} for c in calls]}, ensure_ascii=False
    )
    return Reply(reasoning=reasoning, content=f"Let me take care of that.\n<TOOL_CALLS>{block}</TOOL_CALLS>")
