"""Canned texts of the offline brain: final summaries of tool results, help, and a long story."""

from __future__ import annotations

from typing import Any

_VERBS = {
    "add_task": "add the task",
    "list_tasks": "list your tasks",
    "complete_task": "complete",
    "delete_task": "delete",
    "update_task": "update",
}
_LIST_TITLES = {"pending": "your pending tasks", "completed": "your completed tasks", "all": "all your tasks"}


def _task_line(task: dict[str, Any]) -> str:
    mark = "✓ " if task.get("completed") else ""
    line = f"- {mark}**{task.get('title', '(untitled)')}** (#{task.get('id')})"
    if task.get("description"):
        line += f" — {task['description']}"
    return line


def _list_text(data: dict[str, Any], params: dict[str, Any]) -> str:
    status = str(data.get("status") or params.get("status") or "all")
    tasks = [t for t in data.get("tasks", []) if isinstance(t, dict)]
    label = _LIST_TITLES.get(status, f"your {status} tasks")
    if not tasks:
        return f"You have no {status if status != 'all' else ''} tasks right now.".replace("no  ", "no ")
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
    if status == "created":
        return f"Added {ref} to your list."
    if status == "completed":
        return f"Marked {ref} as done ✓."
    if status == "deleted":
        return f"Deleted {ref}."
    if status == "updated":
        return f"Updated {ref}."
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
        '- **update** a task: "rename task 4 to Pay rent", "change the description of task 4 to monthly"\n'
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
