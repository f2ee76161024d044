"""One tool definition: the schema the model sees (its description is the model's manual) and the function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict
    run: Callable[..., dict]

    def schema(self) -> dict:
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }


def task_id(purpose: str) -> dict:
    return {"type": "integer", "minimum": 1, "description": f"Id of the task to {purpose}, from list_tasks."}


def obj(properties: dict, required: list[str]) -> dict:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}
