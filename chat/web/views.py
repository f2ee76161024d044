"""The chat page and its small HTMX actions (conversation rename/delete/search/export, feedback on a reply).

Chatting itself goes over the websocket (chat.web.consumers); these are plain Django views with CSRF. Writes go
through the services, reads through the selectors; a domain error is shown in the re-rendered fragment.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from chat.selectors import (
    conversation_get,
    conversation_search,
    message_list,
    message_page,
)
from chat.services import conversation_delete, conversation_rename, message_feedback_set
from chat.turn.limits import turn_running
from chat.web.export import export_filename, export_json, export_markdown
from chat.web.fragments import SIDEBAR_WINDOW, sidebar_window
from chat.web.search import search_hits
from chat.web.snapshots import live_snapshot, live_transcript_bubbles
from chat.web.transcript import earlier_page_url, transcript_bubbles
from core.errors import DomainError, NotFoundError
from core.http import login_required, redirect_back
from core.ids import parse_id
from tasks.panel import task_panel_context


# --- The page ----------------------------------------------------------------------------------------------
@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A new chat, or the conversation named by `?c=<id>`."""
    if request.GET.get("c"):
        return _chat_page(request, request.GET["c"])
    return _chat_page(request, None)


@require_GET
@login_required
def conversation_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    return _chat_page(request, conversation_id)


def _chat_page(request: HttpRequest, conversation_id: object | None) -> HttpResponse:
    conversation, bubbles, live, earlier_url = None, [], None, ""
    if conversation_id is not None:
        try:
            conversation = conversation_get(owner=request.user, conversation_id=conversation_id)
        except NotFoundError:
            raise Http404("No such conversation.") from None
        messages, earlier = message_page(conversation=conversation)
        earlier_url = earlier_page_url(conversation.pk, earlier)
        # A reply streaming now (in another tab, on any worker) shows as far as it has got; the socket continues it.
        live = live_snapshot(owner_id=request.user.pk, conversation_id=conversation.pk)
        bubbles = live_transcript_bubbles(messages, live) if live else transcript_bubbles(messages)
    context = {
        "conversation": conversation,
        **sidebar_window(request.user),
        "bubbles": bubbles,
        "turn_live": live is not None,
        "earlier_url": earlier_url,
        "reply_pending": conversation is not None and turn_running(conversation.pk),
        "max_chars": settings.CHAT_MESSAGE_MAX_CHARS,
        "banner_dismissed": request.COOKIES.get("demo_banner") == "dismissed",
        **task_panel_context(request.user),
    }
    return render(request, "chat/page.html", context)


@require_GET
@login_required
def conversation_earlier(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """ "Load earlier": the page of the transcript before message `?before=` (it replaces the button)."""
    try:
        conversation = conversation_get(owner=request.user, conversation_id=conversation_id)
    except NotFoundError:
        raise Http404("No such conversation.") from None
    messages, earlier = message_page(conversation=conversation, before=request.GET.get("before", ""))
    context = {
        "bubbles": transcript_bubbles(messages),
        "earlier_url": earlier_page_url(conversation.pk, earlier),
        "earlier_page": True,
    }
    return render(request, "chat/_transcript_messages.html", context)


# --- Conversations ------------------------------------------------------------------------------------------
def _conversation_list_response(request: HttpRequest, active_id: int | None, error: str = "") -> HttpResponse:
    if not request.htmx:
        return redirect_back(request)
    return render(
        request,
        "chat/_conversation_list.html",
        {**sidebar_window(request.user), "active_id": active_id, "list_error": error},
    )


def _active_id(request: HttpRequest) -> int | None:
    return parse_id(request.POST.get("conversation_id"))  # the page's open conversation (hx-include)


@require_POST
@login_required
def conversation_rename_view(request: HttpRequest, conversation_id: int) -> HttpResponse:
    try:
        conversation_rename(
            owner=request.user, conversation_id=conversation_id, title=request.POST.get("title", "")
        )
    except NotFoundError:
        raise Http404("No such conversation.") from None
    except DomainError as exc:
        return _conversation_list_response(request, _active_id(request), error=exc.message)
    return _conversation_list_response(request, _active_id(request))


@require_POST
@login_required
def conversation_delete_view(request: HttpRequest, conversation_id: int) -> HttpResponse:
    try:
        conversation_delete(owner=request.user, conversation_id=conversation_id)
    except NotFoundError:
        raise Http404("No such conversation.") from None
    active = _active_id(request)
    if active == conversation_id:  # the open conversation is gone: start a new chat
        if request.htmx:
            return HttpResponseClientRedirect(reverse("home"))
        return redirect("home")
    return _conversation_list_response(request, active)


@require_GET
@login_required
def conversation_more_view(request: HttpRequest) -> HttpResponse:
    """ "Show older conversations": the next window of the sidebar (`?offset=`, `&limit=` to restore more at once),
    which replaces the button."""
    offset = parse_id(request.GET.get("offset")) or 0
    limit = parse_id(request.GET.get("limit")) or SIDEBAR_WINDOW
    return render(
        request, "chat/_conversation_items.html", sidebar_window(request.user, offset=offset, limit=limit)
    )


@require_GET
@login_required
def conversation_search_view(request: HttpRequest) -> HttpResponse:
    """The sidebar's search box: matching conversations with the matched words marked (an empty query: the list)."""
    query = request.GET.get("q", "")
    if not query.strip():
        return render(request, "chat/_conversation_list.html", sidebar_window(request.user))
    hits = search_hits(conversation_search(owner=request.user, query=query), query)
    return render(request, "chat/_search_results.html", {"hits": hits, "query": query})


@require_GET
@login_required
def conversation_export_view(request: HttpRequest, conversation_id: int, fmt: str) -> HttpResponse:
    if fmt not in ("md", "json"):
        raise Http404("No such format.")
    try:
        conversation = conversation_get(owner=request.user, conversation_id=conversation_id)
    except NotFoundError:
        raise Http404("No such conversation.") from None
    messages = list(message_list(conversation=conversation))
    if fmt == "json":
        response = HttpResponse(export_json(conversation, messages), content_type="application/json")
    else:
        response = HttpResponse(
            export_markdown(conversation, messages), content_type="text/markdown; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(conversation, fmt)}"'
    return response


# --- Feedback on a reply --------------------------------------------------------------------------------------
@require_POST
@login_required
def message_feedback_view(request: HttpRequest, message_id: int) -> HttpResponse:
    rating, comment = request.POST.get("rating", ""), request.POST.get("comment", "")
    context = {"message_id": message_id, "rating": rating, "comment": comment.strip()}
    try:
        feedback = message_feedback_set(
            owner=request.user, message_id=message_id, rating=rating, comment=comment
        )
    except NotFoundError:
        raise Http404("No such message.") from None
    except DomainError as exc:
        return render(request, "chat/_feedback.html", {**context, "feedback_error": exc.message}, status=400)
    if not request.htmx:
        return redirect_back(request)
    if feedback is None:
        context.update(rating="", comment="")
    return render(
        request, "chat/_feedback.html", {**context, "saved": True, "just_rated": "rating" in request.POST}
    )
