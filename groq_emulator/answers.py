"""Canned texts of the offline brain: final summaries of tool results, help, and a long story."""

from __future__ import annotations

import re
from typing import Any

_VERBS = {
    "add_task": "add the task",
    "list_tasks": "list your tasks",
    "complete_task": "complete",
    "delete_task": "delete",
    "update_task": "update",
    "reopen_task": "reopen",
    "restore_task": "restore",
}
_LIST_TITLES = {"pending": "your pending tasks", "completed": "your completed tasks", "all": "all your tasks"}


_DUE_TITLES = {
    "overdue": "overdue",
    "today": "due today",
    "tomorrow": "due tomorrow",
    "this_week": "due this week",
    "upcoming": "coming up",
    "no_date": "without a due date",
}


def _details(task: dict[str, Any]) -> list[str]:
    """What the tool said about when, how urgent and how often (the server's words, never recomputed)."""
    out = []
    if task.get("due_label"):
        out.append(f"due {task['due_label']}")
    if task.get("priority") and task["priority"] != "none":
        out.append(f"{task['priority']} priority")
    if task.get("repeat"):
        out.append(f"repeats {task['repeat']}")
    return out


def _task_line(task: dict[str, Any]) -> str:
    mark = "✓ " if task.get("completed") else ""
    line = f"- {mark}**{task.get('title', '(untitled)')}** (#{task.get('id')})"
    if details := _details(task):
        line += f" — {'; '.join(details)}"
    if task.get("description"):
        line += f" — {task['description']}"
    return line


def _list_label(status: str, params: dict[str, Any]) -> str:
    label = _LIST_TITLES.get(status, f"your {status} tasks")
    if params.get("priority"):
        label = label.replace("tasks", f"{params['priority']}-priority tasks")
    if params.get("due") in _DUE_TITLES:
        label += f" {_DUE_TITLES[params['due']]}"
    if params.get("query"):
        label += f" matching “{params['query']}”"
    return label


def _list_text(data: dict[str, Any], params: dict[str, Any]) -> str:
    status = str(data.get("status") or params.get("status") or "all")
    tasks = [t for t in data.get("tasks", []) if isinstance(t, dict)]
    label = _list_label(status, params)
    if not tasks:
        if label == "all your tasks":
            return "You have no tasks right now."
        return f"Nothing found: {label} — none right now."
    total = data.get("total", len(tasks))
    head = f"Here are {label} ({total}):"
    return "\n".join([head, *(_task_line(t) for t in tasks)])


def _error_text(name: str, params: dict[str, Any], data: dict[str, Any]) -> str:
    what = _VERBS.get(name, name)
    if "task_id" in params and name != "add_task":
        what += f" task #{params['task_id']}"
    message = data.get("message") or str(data.get("error"))
    return f"Sorry, I couldn't {what}: {message}"


def result_text(name: str, params: dict[str, Any], data: Any) -> str:
    """One paragraph describing a tool result."""
    if not isinstance(data, dict):
        return f"{name} returned: {data}"
    if data.get("error"):
        return _error_text(name, params, data)
    if isinstance(data.get("tasks"), list):
        return _list_text(data, params)
    title = data.get("title") or params.get("title") or "the task"
    ref = f"**{title}** (#{data.get('task_id', params.get('task_id', '?'))})"
    status = data.get("status")
    details = _details(data)
    tail = f" ({', '.join(details)})" if details else ""
    if status == "created":
        return f"Added {ref} to your list{tail}."
    if status == "completed":
        text = f"Marked {ref} as done ✓."
        if data.get("next_task_id"):
            when = data.get("next_due_label") or data.get("next_due_date")
            text += f" It repeats, so the next one is #{data['next_task_id']}" + (
                f", due {when}." if when else "."
            )
        return text
    if status == "deleted":
        return f"Deleted {ref}. Say “undo” to bring it back."
    if status == "updated":
        return f"Updated {ref}{tail}."
    if status == "reopened":
        return f"Reopened {ref}{tail}."
    if status == "restored":
        return f"Restored {ref}{tail}."
    return f"Done: {name} → {data}"


def summary(events: list[tuple[str, Any]]) -> str:
    """The final answer: one paragraph per explicit tool result or note, in order."""
    parts: list[str] = []
    for kind, value in events:
        if kind == "note":
            parts.append(value)
            continue
        res, explicit = value
        data = res.result if isinstance(res.result, dict) else {}
        if explicit or data.get("error"):
            parts.append(result_text(res.name, res.params, res.result))
    return "\n\n".join(parts) or "All done."


def help_text(hello: bool = False) -> str:
    """What the offline demo assistant understands."""
    greeting = "Hello! " if hello else ""
    return (
        f"{greeting}I'm the offline demo assistant (no Groq API key is configured), so I only understand a few "
        "simple requests:\n"
        '- **add** a task: "add a task to buy milk", "remind me to call mom", '
        '"add buy bread with description whole grain"\n'
        '- **list** tasks: "show my tasks", "list my pending tasks", "what have I completed?"\n'
        '- **complete** a task: "complete task 3", "mark the first one done", "mark buy milk as done"\n'
        '- **delete** a task: "delete task 2", "remove the second one"\n'
        '- **update** a task: "rename task 4 to Pay rent", "move task 4 to friday", "make task 4 high priority"\n'
        '- **dates, priority, repeats**: "call mom tomorrow at 5pm", "urgent: pay the bill by dec 24", '
        '"water the plants every monday"\n'
        '- **smart lists**: "what\'s due today?", "what\'s overdue?", "show high priority tasks", '
        '"find tasks about taxes"\n'
        '- **several at once**: "add milk, eggs and bread"; **undo**: "reopen task 3", "undo that delete"\n'
        'You can combine them, e.g. "show my pending tasks and mark the first one done".'
    )


_STORY = [
    "Once upon a time, in a small flat above a bakery, there lived a person with a very long to-do list.",
    "Every morning the smell of fresh bread drifted up the stairs, and every morning the list grew a little longer.",
    "There were letters to answer, plants to water, a bicycle tyre to fix and a birthday present to wrap.",
    "One rainy Tuesday they decided that enough was enough, sat down at the kitchen table and read the list aloud.",
    "Some tasks turned out to be tiny: a two-minute phone call, a form to sign, a book to return to the library.",
    "They did those first, one after another, and ticked each one off with a satisfying stroke of the pen.",
    "The bigger tasks were broken into smaller steps, each small enough to finish before the kettle boiled.",
    "By lunchtime the list was shorter than it had been in weeks, and the rain had stopped as well.",
    "In the afternoon they walked to the park, watered the neighbour's roses and finally fixed the bicycle tyre.",
    "The baker downstairs waved as they rode past, and they waved back, feeling lighter than they had in a month.",
]


def long_story(words: int = 400) -> str:
    """A plain story of about `words` words, split into paragraphs."""
    out: list[str] = []
    count, i = 0, 0
    while count < words:
        sentence = _STORY[i % len(_STORY)]
        if i >= len(_STORY):
            sentence = sentence.replace("They ", "Once more they ", 1)
        out.append(sentence)
        count += len(sentence.split())
        i += 1
    paragraphs = [" ".join(out[j : j + 4]) for j in range(0, len(out), 4)]
    return "\n\n".join(paragraphs) + "\n\nThe end."


_THANKS = re.compile(r"\b(?:thanks?|thank\s+you|thx|ty|cheers|appreciated?)\b", re.I)
_HOW = re.compile(
    r"^(?:how\s+are\s+you|how(?:'s|\s+is)\s+it\s+going|how\s+are\s+things|what'?s\s+up)\b", re.I
)
_BYE = re.compile(r"^(?:bye|goodbye|good\s*night|see\s+you|see\s+ya|later)\b", re.I)
_HELLO = re.compile(r"^(?:hi|hello|hey|hiya|yo|good\s+(?:morning|afternoon|evening))\b", re.I)
_ACK = re.compile(r"^(?:ok(?:ay)?|great|cool|nice|perfect|awesome|got\s+it|sounds\s+good|alright)\b", re.I)
_HELP = re.compile(r"\b(?:help|what\s+can\s+you\s+do|how\s+do(?:es)?\s+(?:this|it|you)\s+work)\b", re.I)
_SMALL_TALK_WORDS = 8


def small_talk(text: str) -> str | None:
    """A short friendly answer to thanks, greetings and chit-chat (None when it is something else)."""
    text = text.strip()
    if _HELP.search(text) or len(text.split()) > _SMALL_TALK_WORDS:
        return None
    if _THANKS.search(text):
        return "You're welcome! Anything else for your list?"
    if _HOW.match(text):
        return "I'm doing well, thanks for asking! What's on your list today?"
    if _BYE.match(text):
        return "Bye for now! Your tasks will be here when you're back."
    if _HELLO.match(text):
        return (
            'Hi! I\'m the offline demo assistant. Tell me what to add ("call mom tomorrow at 5pm") '
            'or ask "what\'s due today?" — say "help" to see everything I understand.'
        )
    if _ACK.match(text):
        return "Great! Just tell me when there's something else to add or check."
    return None
