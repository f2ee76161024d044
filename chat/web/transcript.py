"""What the chat page shows: user and assistant bubbles, tool chips, reasoning, actions and end states.

The same shapes serve a stored transcript (built from saved messages when a conversation is opened) and a live
turn (built from engine events by the websocket consumer), so both render through the same templates and look
the same before and after a reload. A regenerated reply or an edited question stays, marked replaced.
Presentation only: nothing here runs a tool or touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.safestring import SafeString

from chat.models import Message
from chat.turn.tools import parse_arguments
from chat.web.chips import TOOL_DISPLAY_MAX_CHARS, ToolCard, ToolList, clip
from chat.web.rendering import render_markdown

__all__ = [
    "TOOL_DISPLAY_MAX_CHARS",
    "AssistantBubble",
    "TextPart",
    "ToolCard",
    "ToolList",
    "UserBubble",
    "bubble_key",
    "clip",
    "earlier_page_url",
    "transcript_bubbles",
]


def earlier_page_url(conversation_id: int, before: int | None) -> str:
    """Where "Load earlier" fetches the page before message `before` ("" at the start of the transcript)."""
    return f"{reverse('conversation-earlier', args=[conversation_id])}?before={before}" if before else ""


def bubble_key(user_message_id: int) -> str:
    """The DOM id of the (current) assistant bubble answering a user message (stable across a reload)."""
    return f"turn-{user_message_id}"


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
    created_at: dt.datetime | None = None
    replaced: bool = False
    role: str = "user"


@dataclass
class AssistantBubble:
    key: str
    reasoning: str = ""
    parts: list = field(default_factory=list)  # TextPart | ToolList, in the order they happened
    status: str = Message.Status.COMPLETE
    error_message: str = ""
    thought_ms: int | None = None
    message_id: int | None = None  # the turn's last assistant message: what feedback is about
    question_id: int | None = None  # the user message it answers (Regenerate)
    created_at: dt.datetime | None = None
    replaced: bool = False
    rating: str = ""
    comment: str = ""
    markdown: str = ""  # the reply's text as the model wrote it (Copy)
    role: str = "assistant"
    streaming: bool = False  # a live turn's bubble (from its snapshot): thinking label, typing dots

    @property
    def interrupted(self) -> bool:
        return self.status != Message.Status.COMPLETE

    @property
    def thought_label(self) -> str:
        if self.thought_ms is None:
            return "Thought"
        return f"Thought for {max(1, round(self.thought_ms / 1000))} s"


def thought_label(thought_ms: int | None) -> str:
    return AssistantBubble("", thought_ms=thought_ms).thought_label


def _loads(raw: object) -> dict:
    if isinstance(raw, dict):
        return raw
    value = parse_arguments(raw if isinstance(raw, str) else "")  # cleaned: no NUL, no lone surrogates
    return value if isinstance(value, dict) else {"raw": raw}


def add_card(bubble: AssistantBubble, card_id: int, name: str, params: dict) -> ToolCard:
    """A tool call joins the bubble's last list of calls, or starts one after text."""
    if not bubble.parts or not isinstance(bubble.parts[-1], ToolList):
        bubble.parts.append(ToolList(f"{bubble.key}-tools-{len(bubble.parts)}"))
    card = ToolCard(f"tool-{bubble.key}-{card_id}", name, params)
    bubble.parts[-1].cards.append(card)
    return card


def _feedback(message: Message) -> tuple[str, str]:
    try:
        feedback = message.feedback
    except Message.feedback.RelatedObjectDoesNotExist:
        return "", ""
    return feedback.rating, feedback.comment


def transcript_bubbles(messages: Iterable[Message]) -> list[UserBubble | AssistantBubble]:
    """Group a conversation's messages into bubbles: each user message, then one assistant bubble per reply."""
    bubbles: list[UserBubble | AssistantBubble] = []
    current: AssistantBubble | None = None
    cards: dict[str, ToolCard] = {}
    n_cards = 0
    last_user_id = 0
    branch = (
        None  # the current bubble's replaced_at: each regenerate replaced its own reply, so one bubble each
    )
    for message in messages:
        replaced = message.replaced_at is not None
        if message.role == Message.Role.USER:
            bubbles.append(UserBubble(message.pk, message.content, message.created_at, replaced))
            last_user_id, current, cards, n_cards = message.pk, None, {}, 0
            continue
        if current is None or branch != message.replaced_at:  # a regenerated reply, then the current one
            branch = message.replaced_at
            key = bubble_key(last_user_id or message.pk)
            current = AssistantBubble(f"{key}-v{message.pk}" if replaced else key, replaced=replaced)
            current.question_id = last_user_id or None
            bubbles.append(current)
            cards, n_cards = {}, 0
        if message.role == Message.Role.ASSISTANT:
            if message.reasoning:
                current.reasoning = "\n\n".join(filter(None, [current.reasoning, message.reasoning]))
            if message.content:
                current.parts.append(
                    TextPart(f"{current.key}-seg-{len(current.parts)}", render_markdown(message.content))
                )
                current.markdown = "\n\n".join(filter(None, [current.markdown, message.content]))
            for call in message.tool_calls or []:
                card = add_card(current, n_cards, call.get("name", ""), _loads(call.get("arguments")))
                n_cards += 1
                cards[call.get("id", "")] = card
            current.status, current.error_message = message.status, message.error_message
            current.message_id, current.created_at = message.pk, message.created_at
            current.thought_ms = message.thought_ms if message.thought_ms is not None else current.thought_ms
            current.rating, current.comment = _feedback(message)
        elif message.role == Message.Role.TOOL:
            card = cards.get(message.tool_call_id) if message.tool_call_id else None
            if card is None:  # a malformed <TOOL_CALLS> block: no call to attach it to
                card = add_card(current, n_cards, message.tool_name, {})
                n_cards += 1
            card.result = _loads(message.content)
    return bubbles
