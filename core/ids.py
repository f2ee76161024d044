"""The one rule for ids that come from outside (websocket frames, URLs, tool arguments, API bodies).

An id is a positive integer or a string of ASCII digits. Anything else — `True`, `1.5`, `"1e3"`, `"١"`, `" 7"` —
is no id at all, which every caller reports as "not found" (never as a crash, never as a different row).
"""

from __future__ import annotations


def parse_id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and 0 < len(value) <= 18 and value.isascii() and value.isdigit():
        number = int(value)
        return number if number > 0 else None
    return None
