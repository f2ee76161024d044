"""chat.web.frames: the size guard on every frame the server sends, the per-socket control-frame limiter, and the
clipped tool cards (a 2 MB tool argument is shown as 2,000 characters)."""

import json

from django.template.loader import render_to_string

from chat.web.frames import ALLOW, IGNORE, NOTICE, ControlFrameLimiter, bounded_frame
from chat.web.transcript import TOOL_DISPLAY_MAX_CHARS, ToolCard


def test_a_frame_within_the_limit_goes_out_unchanged():
    frame = '<div id="x">' + "é" * 100 + "</div>"
    assert bounded_frame(frame, limit=1000) is frame


def test_an_oversized_frame_becomes_a_small_notice():
    frame = '<div id="task-panel-body" hx-swap-oob="true">' + "x" * 5000 + "</div>"
    notice = bounded_frame(frame, limit=1000)
    assert len(notice.encode()) < 1000
    assert "This is too large to show here — reload the page." in notice
    assert 'id="composer-controls"' not in notice  # a panel frame does not touch the composer


def test_the_notice_keeps_the_composer_of_the_frame_it_replaces():
    composer = render_to_string("chat/_composer.html", {"busy": False, "oob": True, "max_chars": 10})
    notice = bounded_frame("y" * 5000 + composer, limit=2000)
    assert "too large" in notice and 'data-busy="false"' in notice and 'hx-swap-oob="true"' in notice
    busy = render_to_string("chat/_composer.html", {"busy": True, "oob": True, "max_chars": 10})
    assert 'data-busy="true"' in bounded_frame("y" * 5000 + busy, limit=2000)


def test_the_limit_counts_utf8_bytes():
    assert bounded_frame("é" * 600, limit=1000) != "é" * 600  # 1,200 bytes
    assert bounded_frame("e" * 1000, limit=1000) == "e" * 1000


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_control_frames_beyond_the_budget_are_ignored_with_one_notice_a_burst():
    clock = Clock()
    limiter = ControlFrameLimiter(limit=3, window=10, clock=clock)
    assert [limiter.check() for _ in range(6)] == [ALLOW, ALLOW, ALLOW, NOTICE, IGNORE, IGNORE]
    clock.now += 10  # the window has passed
    assert [limiter.check() for _ in range(5)] == [ALLOW, ALLOW, ALLOW, NOTICE, IGNORE]


def test_a_sliding_window_frees_one_slot_at_a_time():
    clock = Clock()
    limiter = ControlFrameLimiter(limit=2, window=10, clock=clock)
    limiter.check()
    clock.now += 5
    limiter.check()
    assert limiter.check() == NOTICE
    clock.now += 5  # the first has left the window, the second has not
    assert [limiter.check(), limiter.check()] == [ALLOW, NOTICE]


def test_a_2mb_tool_argument_and_result_are_clipped_on_the_card():
    huge = "z" * 2_000_000
    card = ToolCard("tool-1", "add_task", {"title": huge, **{f"k{i}": i for i in range(30)}})
    card.result = {"error": "title_too_long", "message": huge}
    html = render_to_string("chat/_tool_card.html", {"card": card})
    assert len(html.encode()) < 10 * TOOL_DISPLAY_MAX_CHARS
    assert "z" * (TOOL_DISPLAY_MAX_CHARS - 1) + "…" in html
    assert "19 more" in html  # 31 arguments: 12 shown
    assert len(card.result_json) == TOOL_DISPLAY_MAX_CHARS and json.dumps(card.result)  # saved whole
