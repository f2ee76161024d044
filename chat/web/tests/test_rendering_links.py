"""Bare links: linkify runs only where a link can be, and finds every link it did before."""

import random

import pytest

from chat.web import rendering
from chat.web.rendering import render_markdown


def _with_linkify(text: str) -> str:
    return rendering._cleaner.clean(rendering._markdown.render(text))


@pytest.mark.parametrize(
    "text",
    [
        "see example.com for more",
        "at https://example.org/a?b=1.",
        "write to anna@example.com",
        "mailto:anna@example.com",
        "www.example.com",
        "on 127.0.0.1:8000/admin",
        "protocol-relative //example.com/x",
        "escaped example\\.com",
        "an entity: example&#46;com",
        "пример.рф и ещё",
        "**bold link example.com** and *em www.x.org*",
    ],
)
def test_every_kind_of_bare_link_is_still_found(text):
    html = render_markdown(text)
    assert html == _with_linkify(text)
    if "href" in _with_linkify(text):
        assert "<a href=" in html


def test_text_that_skips_linkify_renders_exactly_as_with_it():
    """Random markdown made of the characters links are made of: whenever the gate says "no link", linkify
    would not have found one either."""
    rng = random.Random(12)
    alphabet = list("abcwxyz019 .:/@&#;\\*_[]()<>-\n") + [
        "www",
        "com",
        "http",
        "mailto",
        "рф",
        ". ",
        "//",
        "x.org",
        "a@b.io",
    ]
    skipped = linked = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        if not text.strip():
            continue
        expected = _with_linkify(text)
        assert render_markdown(text) == expected, text
        if rendering._MIGHT_LINK.search(text):
            linked += "<a " in expected
        else:
            skipped += 1
    assert skipped > 300 and linked > 50  # both paths were exercised


def test_a_reply_without_links_skips_linkify():
    assert rendering._MIGHT_LINK.search("Done. You have 3 tasks today: milk, call Anna, report.") is None
    assert rendering._MIGHT_LINK.search("word " * 300) is None
