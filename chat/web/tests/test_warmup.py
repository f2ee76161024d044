"""Warm-up at process start (chat.web.warmup): the page's templates are compiled and the model client's lazy
parts loaded before the first turn; a failure never stops the process."""

import logging
import os
import subprocess
import sys

from django.conf import settings
from django.template import base, engines
from django.template.loader import render_to_string

from chat.web import warmup


def test_after_warm_up_rendering_a_live_frame_compiles_nothing(monkeypatch):
    for engine in engines.all():
        engine.engine.template_loaders[
            0
        ].reset()  # Django's cached loader: forget what earlier tests compiled
    warmup.warm_up()
    compiled = []
    original = base.Template.compile_nodelist

    def counting(self):
        compiled.append(self.origin.template_name)
        return original(self)

    monkeypatch.setattr(base.Template, "compile_nodelist", counting)
    html = render_to_string(
        "chat/frames/notice.html", {"message": "hello", "draft": "", "reset_composer": True}
    )
    assert "hello" in html
    assert compiled == []


def test_a_failing_warm_up_is_logged_and_the_process_goes_on(monkeypatch, caplog):
    def broken():
        raise RuntimeError("no TLS store")

    monkeypatch.setattr(warmup.llm, "warm_up", broken)
    with caplog.at_level(logging.WARNING, logger="chat.web.warmup"):
        warmup.warm_up()
    assert "Warm-up at start failed" in caplog.text


def test_after_warm_up_rendering_a_reply_with_a_link_compiles_no_pattern(monkeypatch):
    """linkify-it and markdown-it match with pattern strings, compiled (and cached by `re`) on first use: ~15 ms
    for the first reply holding anything link-like, paid by the first user after a start."""
    import re
    import re._compiler

    from chat.web.rendering import render_markdown

    re.purge()  # as in a fresh process
    warmup.warm_up()
    compiled = []
    original = re._compiler.compile

    def counting(pattern, flags):
        compiled.append(pattern)
        return original(pattern, flags)

    monkeypatch.setattr(re._compiler, "compile", counting)
    html = render_markdown("Added it, see https://example.com/list for the rest.")

    assert 'href="https://example.com/list"' in html
    assert compiled == []


def test_a_fresh_process_has_what_a_first_turn_would_load_lazily(tmp_path):
    """After start-up (config.asgi), the first request, the first socket and the first model request import nothing
    more: the URLconf (and so every view), the channel layer, anyio's asyncio backend (httpcore2's pool locks) and the
    locale's date formats are loaded."""
    probe = (
        "import sys\n"
        "import config.asgi\n"
        "from channels.layers import channel_layers\n"
        "print('layer' if 'default' in channel_layers.backends else 'no layer')\n"
        "for name in ('config.urls', 'anyio._backends._asyncio', 'django.conf.locale.en.formats'):\n"
        "    print(name if name in sys.modules else 'missing ' + name)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "layer",
        "config.urls",
        "anyio._backends._asyncio",
        "django.conf.locale.en.formats",
    ]
