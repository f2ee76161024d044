"""Warm-up at process start (config.asgi), so the first user's turn does not pay a fresh process's one-off costs: the
model client's lazy imports and TLS context (chat.turn.llm.warm_up), the URLconf with every view (imported by the
first request), the channel layer (built, with its imports, by the first socket: ~5 ms), the locale's date formats
(loaded by the first `|date`), the Markdown renderer's link patterns, and the compiled templates of the page and
its live frames (Django's cached loader compiles each on first use). Cheap (~0.2 s), no network and no database (a
Redis layer connects on first use), so it is safe before the stores are reachable; a failure is logged and the
process serves on."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from channels.layers import get_channel_layer
from django.conf import settings
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import formats

from chat.turn import llm
from chat.web.rendering import render_markdown

logger = logging.getLogger(__name__)

TEMPLATE_FOLDERS = ("chat", "tasks")  # the page, its live frames and the task panel


def warm_up() -> None:
    started = time.perf_counter()
    try:
        llm.warm_up()
        get_resolver().url_patterns  # noqa: B018  (the URLconf and every view: ~90 ms for the first request)
        get_channel_layer()
        formats.get_format("DATETIME_FORMAT")
        render_markdown("See https://example.com")  # linkify-it compiles its patterns on first use: ~15 ms
        for root in settings.TEMPLATES[0]["DIRS"]:
            for folder in TEMPLATE_FOLDERS:
                for path in sorted((Path(root) / folder).rglob("*.html")):
                    get_template(path.relative_to(root).as_posix())
    except Exception:
        logger.warning("Warm-up at start failed; the first turn will do it instead", exc_info=True)
        return
    logger.debug("warmed up in %.0f ms", (time.perf_counter() - started) * 1000)
