"""The prompt a turn would send for rows already in memory: chat.turn.prompting.history_window over a list, as the
turn's first hop runs it over the database (the tests' way to state what a prompt holds)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from chat.models import Message
from chat.turn.prompting import LoadOlder, history_window, prompt_messages
from chat.turn.protocols import ToolProtocol


def build_messages(
    history: Iterable[Message],
    protocol: str | ToolProtocol,
    budget: int,
    *,
    tz: str = "UTC",
    now: dt.datetime | None = None,
) -> list[dict]:
    """System prompt + the newest whole turns of `history` that fit `budget` tokens (the current turn always fits)."""
    turns = history_window(_older_in(list(history)), protocol, budget)
    return prompt_messages(turns, protocol, tz=tz, now=now)


def _older_in(rows: Sequence[Any]) -> LoadOlder:
    """`load_older` over rows already in memory (oldest first)."""
    end = len(rows)

    def load_older(oldest: Any, n: int) -> Sequence[Any]:
        nonlocal end
        start = max(0, end - n)
        page, end = rows[start:end], start
        return page

    return load_older
