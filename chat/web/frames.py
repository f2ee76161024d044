"""Bounds on the chat websocket, both ways, so the socket never dies of size or floods.

`bounded_frame`: the last check before a frame leaves the server. A frame over
`CHAT_WS_MAX_SERVER_FRAME_BYTES` (256 KB by default; the channel layer and daphne close the socket with 1011
near 1 MiB) is replaced by a small notice and logged. If the oversized frame carried the composer (a turn's last
frame does), the notice carries it too, in the same state, so the page is never left waiting.

`ControlFrameLimiter`: `stop`, `view` and malformed frames beyond `CHAT_WS_CONTROL_FRAMES` per
`CHAT_WS_CONTROL_WINDOW_SECONDS` on one socket are ignored before any work is done; the first ignored frame of a
burst gets a notice, the rest nothing.
"""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

_COMPOSER = re.compile(r'id="composer-controls"[^>]*data-busy="(true|false)"')
ALLOW, NOTICE, IGNORE = "allow", "notice", "ignore"


def bounded_frame(frame: str, *, limit: int | None = None) -> str:
    """`frame`, or the too-large notice if its UTF-8 size is over the limit."""
    limit = settings.CHAT_WS_MAX_SERVER_FRAME_BYTES if limit is None else limit
    if len(frame) * 4 <= limit:  # cheap: no encoding needed for the common small frame
        return frame
    size = len(frame.encode("utf-8", "surrogatepass"))
    if size <= limit:
        return frame
    composer = _COMPOSER.search(frame)
    logger.warning("Replaced a %d-byte websocket frame (limit %d) with a notice: %.80r", size, limit, frame)
    return render_to_string(
        "chat/frames/too_large.html",
        {
            "composer": composer is not None,
            "busy": composer is not None and composer.group(1) == "true",
            "draft": "",
            "max_chars": settings.CHAT_MESSAGE_MAX_CHARS,
        },
    )


class ControlFrameLimiter:
    """A sliding window of the control frames one socket sent."""

    def __init__(
        self,
        *,
        limit: int | None = None,
        window: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.limit = settings.CHAT_WS_CONTROL_FRAMES if limit is None else limit
        self.window = settings.CHAT_WS_CONTROL_WINDOW_SECONDS if window is None else window
        self._clock = clock
        self._times: deque[float] = deque()
        self._noticed = False  # the current burst has had its notice

    def check(self) -> str:
        """ALLOW (counted), NOTICE (ignore it, and say so once) or IGNORE (silently)."""
        now = self._clock()
        while self._times and now - self._times[0] >= self.window:
            self._times.popleft()
        if len(self._times) < self.limit:
            self._times.append(now)
            self._noticed = False
            return ALLOW
        if self._noticed:
            return IGNORE
        self._noticed = True
        return NOTICE
