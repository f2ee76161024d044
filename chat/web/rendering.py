"""Assistant replies as safe HTML: markdown rendered by markdown-it-py, then sanitized by nh3 with a small allow-list.

The model's text is untrusted (it can echo anything a user or a task title contains), so raw HTML in the
markdown is escaped by the renderer (`html: False`) *and* whatever the renderer produced is cleaned again:
only the tags below survive, links keep only http(s)/mailto targets, open in a new tab and get
rel="noopener noreferrer nofollow". Bare URLs become links (linkify, through linkify-it-py).
"""

from __future__ import annotations

import re

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


def _renderer(*, linkify: bool) -> MarkdownIt:
    """commonmark + GFM tables, strikethrough and (with `linkify`) bare links; "breaks" keeps the single newlines
    the model uses for lists of lines. Big headings would shout in a chat reply: h1/h2 render as h3."""
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": linkify})
    md.enable(["table", "strikethrough", *(["linkify"] if linkify else [])])
    md.renderer.rules["heading_open"] = lambda tokens, idx, *_: f"<{_heading(tokens[idx].tag)}>"
    md.renderer.rules["heading_close"] = lambda tokens, idx, *_: f"</{_heading(tokens[idx].tag)}>\n"
    return md


_markdown = _renderer(linkify=True)
_markdown_without_links = _renderer(linkify=False)
# linkify-it tests every text with a regex of large Unicode classes first: ~0.2 µs a character even when the text
# has no link (a 300-word reply: ~320 µs, ten times the rest of the rendering). Every link it finds holds "//" or
# "mailto:" (a scheme), "@" (an e-mail) or a dot between two non-blank characters (a host or an IP without scheme);
# and "&" too: an entity ("&#46;") is a dot once parsed (markdown-it keeps it a token of its own today; the gate does
# not count on that). Text with none of them skips linkify.
_MIGHT_LINK = re.compile(r"//|mailto:|@|&|[^\s.]\.[^\s.]", re.IGNORECASE)

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
    markdown = _markdown if _MIGHT_LINK.search(text) else _markdown_without_links
    return mark_safe(_cleaner.clean(markdown.render(text)))  # noqa: S308 - sanitized by nh3 just above
