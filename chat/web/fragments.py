"""HTML fragments shared by the page views (HTMX responses) and the websocket consumer (out-of-band swaps).

Every fragment comes from a template (Django autoescapes it); this module only gathers the context. The task-panel
function reads the database, so async callers run it through `database_sync_to_async` — one hop per render.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from chat.selectors import conversation_get, conversation_list, conversation_titles, message_page
from chat.turn.limits import turn_running
from chat.web.snapshots import LiveSnapshot, live_snapshot, live_transcript_bubbles
from chat.web.transcript import earlier_page_url, transcript_bubbles


def notice_html(message: str, *, draft: str = "", reset_composer: bool = True) -> str:
    """An error bubble outside any turn (bad frame, message too long, rate limited…), then the composer back."""
    return render_to_string(
        "chat/frames/notice.html",
        {
            "message": message,
            "draft": draft,
            "reset_composer": reset_composer,
            "busy": False,
            "oob": True,
            "max_chars": settings.CHAT_MESSAGE_MAX_CHARS,
        },
    )


def transcript_html(owner: AbstractBaseUser, conversation_id: int, *, reset_composer: bool = False) -> str:
    """The saved transcript of one of the owner's conversations, swapped over the page's (after a reconnect);
    with the idle composer when the page's was busy showing a live turn that ended unseen."""
    conversation = conversation_get(owner=owner, conversation_id=conversation_id)
    messages, earlier = message_page(conversation=conversation)
    return render_to_string(
        "chat/frames/transcript.html",
        {
            "bubbles": transcript_bubbles(messages),
            "earlier_url": earlier_page_url(conversation.pk, earlier),
            "reply_pending": turn_running(conversation.pk),
            "reset_composer": reset_composer,
            "busy": False,
            "max_chars": settings.CHAT_MESSAGE_MAX_CHARS,
        },
    )


def live_transcript_html(owner: AbstractBaseUser, conversation_id: int) -> tuple[str, LiveSnapshot] | None:
    """The conversation with its live turn as the snapshot shows it (None when no turn is live there): swapped
    over the page's transcript, with the busy composer (Stop works from here too)."""
    conversation = conversation_get(owner=owner, conversation_id=conversation_id)
    snapshot = live_snapshot(owner_id=owner.pk, conversation_id=conversation.pk)
    if snapshot is None:
        return None
    messages, earlier = message_page(conversation=conversation)
    html = render_to_string(
        "chat/frames/live_transcript.html",
        {
            "bubbles": live_transcript_bubbles(messages, snapshot),
            "earlier_url": earlier_page_url(conversation.pk, earlier),
            "max_chars": settings.CHAT_MESSAGE_MAX_CHARS,
        },
    )
    return html, snapshot


# Conversations the sidebar shows at first ("Show older conversations" loads the next ones), and at most this many
# in one request (a page restoring what it had shown).
SIDEBAR_WINDOW, SIDEBAR_LIMIT_MAX = 50, 300


def _window(rows: QuerySet, offset: int, limit: int) -> tuple[list, int | None]:
    """Rows offset..offset+limit, and where the next window starts when there are more (one query)."""
    found = list(rows[offset : offset + limit + 1])
    return found[:limit], (offset + limit if len(found) > limit else None)


def sidebar_window(owner: AbstractBaseUser, *, offset: int = 0, limit: int = SIDEBAR_WINDOW) -> dict:
    """Context for a window of the owner's conversations, newest first: `conversations`, and `more_offset` when
    there are older ones. Bounded whatever the number of conversations."""
    rows, more = _window(conversation_list(owner=owner), offset, max(1, min(limit, SIDEBAR_LIMIT_MAX)))
    return {"conversations": rows, "more_offset": more}


def conversation_list_html(owner: AbstractBaseUser) -> str:
    """The sidebar's first window, swapped out of band; each page marks its own open conversation (chat.js)."""
    rows = conversation_titles(owner_id=owner.pk, limit=SIDEBAR_WINDOW + 1)
    more = SIDEBAR_WINDOW if len(rows) > SIDEBAR_WINDOW else None
    # Each item is a template's output (escaped there): joined here once instead of looped over in the template.
    items = mark_safe("".join(_conversation_item_html(pk, title) for pk, title in rows[:SIDEBAR_WINDOW]))  # noqa: S308
    return render_to_string(
        "chat/_conversation_list.html", {"rendered_items": items, "more_offset": more, "oob": True}
    )


@functools.lru_cache(maxsize=2048)
def _conversation_item_html(pk: int, title: str) -> str:
    """One sidebar entry, a function of its id and title only (no page marks it open here). Every new conversation
    re-sends a user's whole list to their tabs: rendered item by item that is ~0.2 ms a conversation (five URL
    reversals each), so a long list cost tens of milliseconds per change; remembered, it costs a join."""
    return render_to_string("chat/_conversation_item.html", {"conversation": {"pk": pk, "title": title}})
