"""What a request is answered with: the next scripted reply, or the brain's answer to the conversation, shaped by
the request (native tools or not, a reasoning model or not, max tokens) into a Completion. No HTTP here."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from . import brain
from .faults import Reply
from .protocol import REASONING_MODELS, Completion, estimate_tokens, truncate

if TYPE_CHECKING:
    from .server import EmulatorServer


def compose(emu: EmulatorServer, body: dict[str, Any], rid: str) -> tuple[Completion, bool]:
    """The completion for a validated request, and whether its tool arguments stream split over chunks."""
    native = bool(body.get("tools"))
    reply = emu.script.next_reply()
    split = reply is not None and reply.split_arguments
    if reply is not None:
        finish = reply.finish_reason
        if not native:
            reply = Reply(content=reply.content, reasoning=reply.reasoning)
    else:
        reply = brain.respond(body["messages"], native, allow_tools=body.get("tool_choice") != "none")
        finish = None
    model = body["model"]
    if model not in REASONING_MODELS:
        reply = Reply(content=reply.content, tool_calls=reply.tool_calls)
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    reply, cut = truncate(reply, limit)
    finish = "length" if cut else finish or ("tool_calls" if reply.tool_calls else "stop")
    prompt = json.dumps(body["messages"], ensure_ascii=False) + json.dumps(body.get("tools") or [])
    completion = Completion(
        model=model,
        reply=reply,
        finish_reason=finish,
        request_id=rid,
        prompt_tokens=estimate_tokens(prompt),
        include_reasoning=body.get("include_reasoning") is not False,
    )
    completion.cached_tokens = emu.prompt_cache.cached_tokens(body, completion.prompt_tokens)
    emu._spend(completion.usage()["total_tokens"])
    return completion, split
