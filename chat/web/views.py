"""The chat page and its small HTMX actions (conversation rename/delete).

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

from chat.selectors import conversation_get, conversation_list, message_page
from chat.services import conversation_delete, conversation_rename
from chat.turn.limits import turn_running
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
        "conversations": conversation_list(owner=request.user),
        "bubbles": bubbles,
        "turn_live": live is not None,
        "earlier_url": earlier_url,
        "reply_pending": conversation is not None and turn_running(conversation.pk),
        "max_chars": settings.CHAT_MESSAGE_MAX_CHARS,
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
        {"conversations": conversation_list(owner=request.user), "active_id": active_id, "list_error": error},
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
