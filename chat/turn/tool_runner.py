"""A turn's tool calls, run as the user: one database hop per round that records the model's calls, runs them
through chat.turn.tools (and so the tasks service layer) within AGENT_MAX_TOOL_CALLS, and records every result."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser

from chat.turn.calls import ToolCall
from chat.turn.events import ToolCallFinished
from chat.turn.recording import TurnRecorder
from chat.turn.tools import parse_arguments, run_tool

INTERRUPTED = {"error": "interrupted", "message": "This call was interrupted before it finished."}


class ToolRunner:
    def __init__(self, *, user: AbstractBaseUser, recorder: TurnRecorder):
        self.user = user
        self.recorder = recorder
        self.calls_made = 0  # across the turn's rounds

    def run_round(
        self, *, content: str, reasoning: str, usage: dict, calls: list[ToolCall], errors: list[str]
    ) -> list[ToolCallFinished]:
        """Synchronous (one hop). A malformed tool block is reported back as a result that answers no call."""
        self.recorder.tool_calls(content=content, reasoning=reasoning, usage=usage, calls=calls)
        finished: list[ToolCallFinished] = []
        try:
            for call in calls:
                finished.append(self._run(call))
        except BaseException:
            # The history must never hold a call without its result: the rest get an error result.
            done = {e.call_id for e in finished}
            finished += [ToolCallFinished(c.id, c.name, {}, INTERRUPTED) for c in calls if c.id not in done]
            self.recorder.tool_results(finished)
            raise
        finished += [
            ToolCallFinished(
                f"block_error_{n}", "", {}, {"error": "malformed_tool_block", "message": problem}
            )
            for n, problem in enumerate(errors)
        ]
        self.recorder.tool_results(finished)
        return finished

    def _run(self, call: ToolCall) -> ToolCallFinished:
        self.calls_made += 1
        limit = settings.AGENT_MAX_TOOL_CALLS
        if self.calls_made > limit:
            refused = {
                "error": "too_many_tool_calls",
                "message": f"At most {limit} tool calls per reply; not run.",
            }
            return ToolCallFinished(call.id, call.name, display_params(call), refused)
        return ToolCallFinished(call.id, call.name, *run_tool(self.user, call.name, call.arguments))


def display_params(call: ToolCall) -> dict:
    """The parsed arguments of a call for display (empty when the model sent bad JSON)."""
    params = parse_arguments(call.arguments)
    return params if isinstance(params, dict) else {}
