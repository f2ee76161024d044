"""Sidebar search results: each match's excerpt cut around the query's words, split into plain and matched pieces
that the template wraps in <mark> (and escapes, like everything else)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chat.models import Conversation

EXCERPT_CHARS = 90


@dataclass
class SearchHit:
    conversation: Conversation
    pieces: list[tuple[str, bool]]  # (text, matched)
    in_title: bool


def _pattern(query: str) -> re.Pattern | None:
    words = sorted({w for w in query.split() if len(w) > 1 or query.strip() == w}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None


def highlight(text: str, query: str) -> list[tuple[str, bool]]:
    """`text` (one line, cut to about EXCERPT_CHARS around the first match) as pieces, matches flagged."""
    text = " ".join(text.split())
    pattern = _pattern(query)
    first = pattern.search(text) if pattern else None
    if len(text) > EXCERPT_CHARS:
        start = max(0, (first.start() if first else 0) - EXCERPT_CHARS // 3)
        text = ("…" if start else "") + text[start : start + EXCERPT_CHARS].strip() + "…"
    if pattern is None:
        return [(text, False)]
    pieces, at = [], 0
    for match in pattern.finditer(text):
        if match.start() > at:
            pieces.append((text[at : match.start()], False))
        pieces.append((match.group(0), True))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def search_hits(results: list[tuple[Conversation, str]], query: str) -> list[SearchHit]:
    return [
        SearchHit(conversation, highlight(text, query), text == conversation.title)
        for conversation, text in results
    ]
