"""A live turn's snapshot: what its page shows so far (the question, the reply's reasoning, text and tool cards),
kept in the shared cache so a page or socket that joins mid-reply — on any worker process — starts from there.

The process running the turn (chat.web.streams) saves it with each coalesced frame, never per token; `seq` is the
number of the last frame it includes. A snapshot counts as live while it is not ended and the conversation's turn
lock is held: once the lock is released the reply is saved, and the saved transcript is the truth again.
Plain dicts in the cache (no pickled classes of ours), so workers of different versions can read each other's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.utils.safestring import mark_safe

from chat.models import Message
from chat.turn.limits import turn_running
from chat.web.transcript import AssistantBubble, TextPart, ToolCard, ToolList, UserBubble, transcript_bubbles


def _key(conversation_id: int) -> str:
    return f"chat-live-turn:{conversation_id}"


@dataclass
class LiveSnapshot:
    owner_id: int
    conversation_id: int
    user_message_id: int
    turn_id: str  # the run (chat.turn.engine.Turn.id): a regenerated question is answered by a new one
    question: str
    seq: int
    ended: bool
    bubble: AssistantBubble

    def bubbles(self) -> list[UserBubble | AssistantBubble]:
        return [UserBubble(self.user_message_id, self.question), self.bubble]

    def as_dict(self) -> dict:
        parts = [
            {"kind": "text", "dom_id": p.dom_id, "html": str(p.html), "streaming": p.streaming}
            if isinstance(p, TextPart)
            else {
                "kind": "tools",
                "dom_id": p.dom_id,
                "cards": [
                    {"dom_id": c.dom_id, "name": c.name, "params": c.params, "result": c.result}
                    for c in p.cards
                ],
            }
            for p in self.bubble.parts
        ]
        return {
            "owner_id": self.owner_id,
            "conversation_id": self.conversation_id,
            "user_message_id": self.user_message_id,
            "turn_id": self.turn_id,
            "question": self.question,
            "seq": self.seq,
            "ended": self.ended,
            "key": self.bubble.key,
            "reasoning": self.bubble.reasoning,
            "parts": parts,
        }

    @classmethod
    def from_dict(cls, data: dict) -> LiveSnapshot:
        parts = [
            # The html was rendered by us (sanitized markdown, or escaped streaming text) before it was stored.
            TextPart(p["dom_id"], mark_safe(p["html"]), streaming=p["streaming"])  # noqa: S308
            if p["kind"] == "text"
            else ToolList(
                p["dom_id"], [ToolCard(c["dom_id"], c["name"], c["params"], c["result"]) for c in p["cards"]]
            )
            for p in data["parts"]
        ]
        bubble = AssistantBubble(
            data["key"],
            reasoning=data["reasoning"],
            parts=parts,
            streaming=not data["ended"],
            question_id=data["user_message_id"],
        )
        return cls(
            owner_id=data["owner_id"],
            conversation_id=data["conversation_id"],
            user_message_id=data["user_message_id"],
            turn_id=data.get("turn_id", ""),
            question=data["question"],
            seq=data["seq"],
            ended=data["ended"],
            bubble=bubble,
        )


class _InProcessSnapshots:
    """Where snapshots live when the cache is the in-process one (a single process, the default): a dict of the
    plain dicts as built. LocMemCache would pickle every one of them, with every frame, each bigger than the last."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def set(self, key: str, value: dict, timeout: int) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._items) >= 1000:  # forget the expired ones now and then
                self._items = {k: item for k, item in self._items.items() if item[0] > now}
            self._items[key] = (now + timeout, value)

    def get(self, key: str) -> dict | None:
        item = self._items.get(key)
        return item[1] if item is not None and item[0] > time.monotonic() else None


_in_process = _InProcessSnapshots()


def _in_process_cache() -> bool:
    return isinstance(caches["default"], LocMemCache)


async def snapshot_save(snapshot: LiveSnapshot) -> None:
    """Saved with every publication of a live turn, so never through the one thread that runs database hops
    (Django's own `cache.aset` would queue it there, behind every turn's saves): in-process it is set right here;
    on Redis by core.cache's `aset`, on the event loop itself."""
    # Outlives the turn lock a little, so a late reader sees `ended` rather than a stale live turn.
    args = (_key(snapshot.conversation_id), snapshot.as_dict(), int(settings.AGENT_TIMEOUT) + 60)
    if _in_process_cache():
        _in_process.set(*args)
    else:
        await caches["default"].aset(*args)


def snapshot_data(conversation_id: int) -> dict | None:
    """The conversation's last saved snapshot as stored (live or ended), or None."""
    data = _in_process.get(_key(conversation_id)) if _in_process_cache() else cache.get(_key(conversation_id))
    return data if isinstance(data, dict) else None


def live_snapshot(*, owner_id: int, conversation_id: int) -> LiveSnapshot | None:
    """The snapshot of the turn running now in one of the owner's conversations, or None."""
    data = snapshot_data(conversation_id)
    if data is None or data.get("owner_id") != owner_id or data.get("ended"):
        return None
    if not turn_running(conversation_id):  # ended (its reply is saved) or its process died: the lock tells
        return None
    return LiveSnapshot.from_dict(data)


def live_transcript_bubbles(
    messages: Iterable[Message], snapshot: LiveSnapshot
) -> list[UserBubble | AssistantBubble]:
    """The saved conversation up to the live turn's question, then the live reply as its snapshot shows it.

    Kept: everything up to the question, and the replies after it that were replaced (a regenerate: the old
    reply stays above the new one, marked). Left out: rounds of the live turn already saved (tool calls and
    results), which are in the snapshot with the ids the live frames use."""
    messages = list(messages)
    if not any(m.pk == snapshot.user_message_id for m in messages):  # not on this page: the snapshot's words
        earlier = [m for m in messages if m.pk < snapshot.user_message_id]
        return transcript_bubbles(earlier) + snapshot.bubbles()
    shown = [m for m in messages if m.pk <= snapshot.user_message_id or m.replaced_at is not None]
    return transcript_bubbles(shown) + [snapshot.bubble]
