"""Assistant replies as safe HTML: markdown rendered by markdown-it-py, then sanitized by nh3 with a small allow-list.

The model's text is untrusted (it can echo anything a user or a task title contains), so raw HTML in the
markdown is escaped by the renderer (`html: False`) *and* whatever the renderer produced is cleaned again:
only the tags below survive, links keep only http(s)/mailto targets, open in a new tab and get
rel="noopener noreferrer nofollow". Bare URLs become links (linkify, through linkify-it-py).
"""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

# commonmark + GFM tables, strikethrough and bare links; "breaks" keeps the single newlines the model uses for lists of lines.
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": True}).enable(
    ["table", "strikethrough", "linkify"]
)
# Chat replies are short: big headings would shout, so h1/h2 render one level down (h3) before cleaning.
_markdown.renderer.rules["heading_open"] = lambda tokens, idx, *_: f"<{_heading(tokens[idx].tag)}>"
_markdown.renderer.rules["heading_close"] = lambda tokens, idx, *_: f"</{_heading(tokens[idx].tag)}>\n"

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    set_tag_attribute_values={"a": {"target": "_blank"}},
    strip_comments=True,
)


def _heading(tag: str) -> str:
    return "h3" if tag in ("h1", "h2") else tag


def render_markdown(text: str) -> SafeString:
    """Markdown → sanitized HTML, safe to put in a template unescaped."""
    if not text or not text.strip():
        return mark_safe("")  # noqa: S308 - empty
    return mark_safe(_cleaner.clean(_markdown.render(text)))  # noqa: S308 - sanitized by nh3 just above
