"""Tool activity as compact chips: one line each ("✓ Added *buy milk*", "✓ Listed 5 pending", "✗ Task 9 was not
found."), expanding to the arguments and the result. Consecutive calls of a turn sit in one short list.
Presentation only: plain text pieces the templates escape."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

TOOL_DISPLAY_MAX_CHARS = 2000  # per argument, per result, per summary on a tool card (the rest is "…")
TOOL_DISPLAY_MAX_ARGS = 12


def clip(text: str, limit: int = TOOL_DISPLAY_MAX_CHARS) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut (display only; what was saved is whole)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# What a finished call did, by tool: the verb before the task's title.
_DONE_VERBS = {
    "add_task": "Added",
    "complete_task": "Completed",
    "reopen_task": "Reopened",
    "delete_task": "Deleted",
    "restore_task": "Restored",
    "update_task": "Updated",
}
_RUNNING_VERBS = {
    "add_task": "Adding",
    "list_tasks": "Listing tasks",
    "complete_task": "Completing",
    "reopen_task": "Reopening",
    "delete_task": "Deleting",
    "restore_task": "Restoring",
    "update_task": "Updating",
}


@dataclass
class ToolCard:
    dom_id: str
    name: str
    params: dict
    result: dict | None = None  # None while the tool runs
    kind: str = "tool"

    @property
    def state(self) -> str:
        if self.result is None:
            return "pending"
        return "error" if "error" in self.result else "done"

    @property
    def icon(self) -> str:
        return {"pending": "…", "error": "✗", "done": "✓"}[self.state]

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize() if self.name else "Tool call"

    @property
    def verb(self) -> str:
        """The chip's words before its (emphasised) subject."""
        result = self.result
        if result is None:
            return _RUNNING_VERBS.get(self.name, f"Running {self.label.lower()}") + (
                "" if self.subject else "…"
            )
        if "error" in result:
            return clip(str(result.get("message") or result["error"]))
        if isinstance(result.get("tasks"), list):
            total = result.get("total", len(result["tasks"]))
            status = result.get("status") if result.get("status") in ("pending", "completed") else ""
            noun = status or ("task" if total == 1 else "tasks")
            return f"Listed {total} {noun}"
        return _DONE_VERBS.get(self.name, self.label)

    @property
    def subject(self) -> str:
        """The task's title, when the call is about one task ("" otherwise)."""
        if self.result is not None and "error" in self.result:
            return ""
        source = self.result if self.result and self.result.get("title") else self.params
        title = source.get("title") if isinstance(source, dict) else None
        if title:
            return clip(str(title))
        task_id = (self.result or {}).get("task_id") or self.params.get("task_id")
        return f"task {task_id}" if task_id and self.name != "list_tasks" else ""

    @property
    def summary(self) -> str:
        return f"{self.verb} {self.subject}".strip()

    @property
    def params_items(self) -> list[tuple[str, str]]:
        items = [
            (clip(str(k), 100), clip(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)))
            for k, v in list(self.params.items())[:TOOL_DISPLAY_MAX_ARGS]
        ]
        if len(self.params) > TOOL_DISPLAY_MAX_ARGS:
            items.append(("…", f"{len(self.params) - TOOL_DISPLAY_MAX_ARGS} more"))
        return items

    @property
    def result_json(self) -> str:
        if self.result is None:
            return ""
        return clip(json.dumps(self.result, ensure_ascii=False, indent=2))


@dataclass
class ToolList:
    """Tool calls that happened one after another (no text between them): one short list."""

    dom_id: str
    cards: list[ToolCard] = field(default_factory=list)
    kind: str = "tools"
