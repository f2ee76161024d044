"""Text rules for anything we store or show, from the model or from a person.

Lone UTF-16 surrogates (which JSON can carry as "\\ud800" but no database or encoder accepts) become U+FFFD, and
NUL characters (which PostgreSQL refuses in text) are dropped.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    if not value:
        return value
    if "\x00" in value:
        value = value.replace("\x00", "")
    return _SURROGATE.sub("\ufffd", value)


def bounded(value: str, limit: int, *, marker: str = "…") -> str:
    """`value` cut to `limit` characters, with a marker when something was cut."""
    return value if len(value) <= limit else value[: max(0, limit - len(marker))] + marker
