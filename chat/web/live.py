"""A live turn as out-of-band HTML fragments: what the websocket consumer sends for each engine event.

`LiveTurn` keeps the little state the page needs to follow one turn (which text segment is streaming, which tool
chip is which, which list it sits in) and renders every fragment from a template, so every token is escaped by Django. The ids match
the ones chat.web.transcript gives a stored turn, so a reload shows the same structure. No database access here.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from chat.models import Message
from chat.turn.events import ToolCallFinished, ToolCallStarted, TurnDone, TurnFailed, TurnStarted
from chat.web.rendering import render_markdown
from chat.web.transcript import (
    AssistantBubble,
    TextPart,
    ToolCard,
    ToolList,
    UserBubble,
    bubble_key,
    earlier_page_url,
    thought_label,
    transcript_bubbles,
)


class LiveTurn:
    def __init__(self, *, user_message: Message, page: tuple[list[Message], int | None] | None = None):
        """`page`: a regenerated or edited question's transcript page (chat.selectors.message_page), re-rendered
        first (the old reply marked)."""
        self.user_message = user_message
        self.history, self._before = page if page is not None else (None, None)
        self.key = bubble_key(user_message.pk)
        self._bubble = AssistantBubble(self.key, question_id=user_message.pk)  # the tool lists, in order
        self._n_cards = 0
        self._markdown: list[str] = []
        self._segments = 0  # text segments created so far (one before / between / after tool cards)
        self._segment_open = False  # is a streaming segment the last thing in the bubble?
        self._segment_text = ""
        self._parts = 0
        self._cards: dict[str, ToolCard] = {}
        self._had_reasoning = False
        self._new_round = False  # tools ran since the last reasoning: separate the next round's thoughts
        self._reasoning = ""  # what the page shows so far, for a snapshot (chat.web.snapshots)
        self._shown: list[TextPart | ToolList] = []  # finished segments and tool lists, in order
        self.ended = False  # the terminal fragment was rendered
        # False: keep following the turn (its state, for a snapshot) but render no fragment; each event method
        # then returns None. For a turn nobody watches (chat.web.streams): its frames would go nowhere.
        self.rendering = True

    def _render(self, template: str, context: dict) -> str | None:
        if not self.rendering:
            return None
        base = {"key": self.key, "max_chars": settings.CHAT_MESSAGE_MAX_CHARS}
        return render_to_string(f"chat/frames/{template}", {**base, **context})

    @property
    def _segment_id(self) -> str:
        return f"{self.key}-seg-{self._segments}"

    # --- events -----------------------------------------------------------------------------------------
    def started(self, event: TurnStarted) -> str | None:
        earlier, show_question = None, True
        if (
            self.history is not None
        ):  # regenerated: the question stays above its replaced reply; edited: new last
            earlier = transcript_bubbles(self.history)
            if earlier and earlier[-1].role == "user" and earlier[-1].message_id == self.user_message.pk:
                earlier.pop()
            show_question = not any(
                b.role == "user" and b.message_id == self.user_message.pk for b in earlier
            )
        return self._render(
            "turn_started.html",
            {
                "earlier": earlier,
                "earlier_url": earlier_page_url(event.conversation_id, self._before),
                "show_question": show_question,
                "user_bubble": UserBubble(
                    self.user_message.pk,
                    self.user_message.content,
                    getattr(self.user_message, "created_at", None),
                ),
                "assistant_bubble": AssistantBubble(self.key),
                "conversation": {"pk": event.conversation_id, "title": event.conversation_title},
            },
        )

    def deltas(self, *, text: str, reasoning: str) -> str | None:
        """One coalesced frame: the reasoning and visible text that arrived since the last frame."""
        if reasoning and self._had_reasoning and self._new_round:
            reasoning = "\n\n" + reasoning
        if reasoning:
            self._new_round = False
        context = {
            "text": text,
            "reasoning": reasoning,
            "reasoning_first": reasoning and not self._had_reasoning,
        }
        if reasoning:
            self._had_reasoning = True
            self._reasoning += reasoning
        if text:
            context["open_segment"] = not self._segment_open
            if not self._segment_open:
                self._bubble.parts.append(None)  # a text part: the next tool call starts a new list
                self._segments += 1
                self._parts += 1
                self._segment_open = True
            context["segment_id"] = self._segment_id
            self._segment_text += text
        return self._render("delta.html", context)

    def _close_segment(self, final_text: str | None = None) -> TextPart | None:
        """The streaming segment, now rendered as sanitized markdown (or None when nothing streamed)."""
        text = self._segment_text if final_text is None else final_text
        if not self._segment_open and not text.strip():
            return None
        if not self._segment_open:  # text the stream never showed (e.g. parsed out of a tool block)
            self._segments += 1
            self._parts += 1
            self._bubble.parts.append(None)
        self._markdown.append(text.strip())
        part = TextPart(self._segment_id, render_markdown(text))
        self._segment_open, self._segment_text = False, ""
        self._shown.append(part)
        return part

    def bubble(self) -> AssistantBubble:
        """The assistant bubble as the page shows it now (for a page or socket that joins mid-reply)."""
        parts = list(self._shown)
        if self._segment_open:
            parts.append(TextPart(self._segment_id, escape(self._segment_text), streaming=True))
        return AssistantBubble(
            self.key,
            reasoning=self._reasoning,
            parts=parts,
            streaming=not self.ended,
            question_id=self.user_message.pk,
        )

    def _add_card(self, name: str, params: dict) -> tuple[ToolCard, ToolList, bool]:
        parts = self._bubble.parts
        new_list = not parts or not isinstance(parts[-1], ToolList)
        if new_list:
            parts.append(ToolList(f"{self.key}-tools-{len(parts)}"))
            self._parts += 1
            self._shown.append(parts[-1])
        card = ToolCard(f"tool-{self.key}-{self._n_cards}", name, params)
        self._n_cards += 1
        parts[-1].cards.append(card)
        return card, parts[-1], new_list

    def tool_started(self, event: ToolCallStarted) -> str | None:
        finished = self._close_segment() if self._segment_open else None
        self._new_round = True
        card, tools, new_list = self._add_card(event.name, event.params)
        self._cards[event.call_id] = card
        return self._render(
            "tool_started.html",
            {"finished_segment": finished, "card": card, "tools": tools, "new_list": new_list},
        )

    def tool_finished(self, event: ToolCallFinished) -> str | None:
        card = self._cards.get(event.call_id)
        if card is None:  # a malformed tool block: a result without a started call
            card, tools, new_list = self._add_card(event.name, event.params)
            card.result = event.result
            return self._render(
                "tool_started.html",
                {"finished_segment": None, "card": card, "tools": tools, "new_list": new_list},
            )
        card.params, card.result = event.params or card.params, event.result
        return self._render("tool_finished.html", {"card": card})

    def done(self, event: TurnDone) -> str | None:
        return self._ended(event.content, event.status, event.notice, event.message_id, event.thought_ms)

    def failed(self, event: TurnFailed) -> str | None:
        status = Message.Status.PARTIAL if event.partial_content else Message.Status.ERROR
        return self._ended(event.partial_content, status, event.message, event.message_id, None)

    def _ended(
        self, content: str, status: str, error_message: str, message_id: int | None, thought_ms: int | None
    ) -> str | None:
        was_open = self._segment_open
        finished = self._close_segment(content)
        self.ended = True
        bubble = AssistantBubble(
            self.key,
            status=status,
            error_message=error_message,
            message_id=message_id,
            question_id=self.user_message.pk,
            created_at=timezone.now(),
            markdown="\n\n".join(filter(None, self._markdown)),
        )
        return self._render(
            "turn_ended.html",
            {
                "finished_segment": finished,
                "segment_was_open": was_open,
                "had_reasoning": self._had_reasoning,
                "thought_label": thought_label(thought_ms),
                "bubble": bubble,
            },
        )
