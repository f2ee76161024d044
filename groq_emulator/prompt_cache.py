"""Groq's automatic prompt caching, approximated: a request's cached tokens are those of the longest prefix
(the tool schemas, then whole messages in order) that an earlier request also sent. Reported like Groq in
`usage.prompt_tokens_details.cached_tokens`; a first request, or one whose system prompt changed, has none."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

from .protocol import estimate_tokens

_REMEMBERED = 4096  # prefixes kept (least recently used dropped), like a cache that expires unused entries


class PromptCache:
    def __init__(self) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()

    def cached_tokens(self, body: dict[str, Any], prompt_tokens: int) -> int:
        """Looks the request's prefixes up, remembers them, and returns the cached part of its prompt."""
        parts = [json.dumps(body.get("tools") or [], sort_keys=True)]
        parts += [json.dumps(m, sort_keys=True, ensure_ascii=False) for m in body.get("messages") or []]
        digest, tokens, hit, keys = hashlib.sha256(), 0, 0, []
        for part in parts:
            digest.update(part.encode("utf-8", "surrogatepass") + b"\x00")
            tokens += estimate_tokens(part)
            keys.append((digest.hexdigest(), tokens))
        with self._lock:
            for key, upto in keys:
                if key in self._seen:
                    hit = upto
                self._seen[key] = None
                self._seen.move_to_end(key)
            while len(self._seen) > _REMEMBERED:
                self._seen.popitem(last=False)
        return min(hit, prompt_tokens)
