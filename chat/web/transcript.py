"""What the chat page shows: user and assistant bubbles, tool cards, reasoning and end states.

The same shapes serve a stored transcript (built from saved messages when a conversation is opened) and a live
turn (built from engine events by the websocket consumer), so both render through the same templates and look
the same before and after a reload. Presentation only: nothing here runs a tool or touches the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.safestring import SafeString

from chat.models import Message
from chat.turn.tools import parse_arguments
from chat.web.rendering import render_markdown

TOOL_DISPLAY_MAX_CHARS = 2000  # per argument, per result, per summary on a tool card (the rest is "…")
TOOL_DISPLAY_MAX_ARGS = 12


def clip(text: str, limit: int = TOOL_DISPLAY_MAX_CHARS) -> str:
    """`text` cut to `limit` characters, with an ellipsis when cut (display only; what was saved is whole)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def earlier_page_url(conversation_id: int, before: int | None) -> str:
    """Where "Load earlier" fetches the page before message `before` ("" at the start of the transcript)."""
    return f"{reverse('conversation-earlier', args=[conversation_id])}?before={before}" if before else ""


def bubble_key(user_message_id: int) -> str:
    """The DOM id of the assistant bubble answering a user message (stable across a reload)."""
    return f"turn-{user_message_id}"


@dataclass
class ToolCard:
    dom_id: str
    name: str
    params: dict
    result: dict | None = None  # None while the tool runs

    @property
    def state(self) -> str:
        if self.result is None:
            return "pending"
        return "error" if "error" in self.result else "done"

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize() if self.name else "Tool call"

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
    def summary(self) -> str:
        """One plain-text line about the outcome (the template escapes it)."""
        result = self.result
        if result is None:
            return "Running…"
        if "error" in result:
            return clip(str(result.get("message") or result["error"]))
        if "task_id" in result:
            title = f" “{result['title']}”" if result.get("title") else ""
            return clip(
                f"{str(result.get('status') or 'done').capitalize()}: task #{result['task_id']}{title}"
            )
        if isinstance(result.get("tasks"), list):
            total = result.get("total", len(result["tasks"]))
            return f"{total} task{'' if total == 1 else 's'} found"
        return "Done"

    @property
    def result_json(self) -> str:
        if self.result is None:
            return ""
        return clip(json.dumps(self.result, ensure_ascii=False, indent=2))


@dataclass
class TextPart:
    dom_id: str
    html: SafeString
    kind: str = "text"
    streaming: bool = False  # a live turn's open segment: plain escaped text, still growing


@dataclass
class UserBubble:
    message_id: int
    content: str
    role: str = "user"


@dataclass
class AssistantBubble:
    key: str
    reasoning: str = ""
    parts: list = field(default_factory=list)  # TextPart | ToolCard, in the order they happened
    status: str = Message.Status.COMPLETE
    error_message: str = ""
    role: str = "assistant"
    streaming: bool = False  # a live turn's bubble (from its snapshot): thinking label, typing dots

    @property
    def interrupted(self) -> bool:
        return self.status != Message.Status.COMPLETE


def _loads(raw: object) -> dict:
    if isinstance(raw, dict):
        return raw
    value = parse_arguments(raw if isinstance(raw, str) else "")  # cleaned: no NUL, no lone surrogates
    return value if isinstance(value, dict) else {"raw": raw}


def transcript_bubbles(messages: Iterable[Message]) -> list[UserBubble | AssistantBubble]:
    """Group a conversation's messages into bubbles: each user message, then one assistant bubble per turn."""
    bubbles: list[UserBubble | AssistantBubble] = []
    current: AssistantBubble | None = None
    cards: dict[str, ToolCard] = {}
    last_user_id = 0
    for message in messages:
        if message.role == Message.Role.USER:
            bubbles.append(UserBubble(message.pk, message.content))
            last_user_id, current, cards = message.pk, None, {}
            continue
        if current is None:
            current = AssistantBubble(bubble_key(last_user_id or message.pk))
            bubbles.append(current)
        n = len(current.parts)
        if message.role == Message.Role.ASSISTANT:
            if message.reasoning:
                current.reasoning = "\n\n".join(filter(None, [current.reasoning, message.reasoning]))
            if message.content:
                current.parts.append(TextPart(f"{current.key}-seg-{n}", render_markdown(message.content)))
            for call in message.tool_calls or []:
                card = ToolCard(
                    f"tool-{current.key}-{len(current.parts)}",
                    call.get("name", ""),
                    _loads(call.get("arguments")),
                )
                cards[call.get("id", "")] = card
                current.parts.append(card)
            current.status, current.error_message = message.status, message.error_message
        elif message.role == Message.Role.TOOL:
            card = cards.get(message.tool_call_id) if message.tool_call_id else None
            if card is None:  # a malformed <TOOL_CALLS> block: no call to attach it to
                card = ToolCard(f"tool-{current.key}-{n}", message.tool_name, {})
                current.parts.append(card)
            card.result = _loads(message.content)
    return bubbles
