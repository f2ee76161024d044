"""The chat page and its small HTMX actions (task panel, conversation rename/delete).

Chatting itself goes over the websocket (chat.web.consumers); these are plain Django views with CSRF. Writes go
through the services, reads through the selectors; a domain error is shown in the re-rendered fragment.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from chat.selectors import conversation_get, conversation_list, message_list
from chat.services import conversation_delete, conversation_rename
from chat.web import fragments
from chat.web.transcript import transcript_bubbles
from core.errors import DomainError, NotFoundError
from core.ids import parse_id
from tasks import services as task_services


def login_required(view: Callable) -> Callable:
    """Django's login_required, except that an HTMX request is sent to the login page as a whole page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            return HttpResponseClientRedirect(reverse(settings.LOGIN_URL))
        return redirect_to_login(request.get_full_path())

    return wrapper


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
    conversation, bubbles = None, []
    if conversation_id is not None:
        try:
            conversation = conversation_get(owner=request.user, conversation_id=conversation_id)
        except NotFoundError:
            raise Http404("No such conversation.") from None
        bubbles = transcript_bubbles(message_list(conversation=conversation))
    context = {
        "conversation": conversation,
        "conversations": conversation_list(owner=request.user),
        "bubbles": bubbles,
        "max_chars": settings.CHAT_MESSAGE_MAX_CHARS,
        **fragments.task_panel_context(request.user),
    }
    return render(request, "chat/page.html", context)


# --- Task panel: each action returns the re-rendered panel --------------------------------------------------
def _panel_response(
    request: HttpRequest, *, deleted_task_id: int | None = None, error: str = ""
) -> HttpResponse:
    if not request.htmx:  # a plain form post (no JavaScript): back to the page
        return redirect(request.headers.get("referer") or "home")
    html = fragments.task_panel_html(request.user, oob=False, deleted_task_id=deleted_task_id, error=error)
    # A failed action still answers 200 with the fresh panel: the usual cause is a stale panel (the task was
    # changed in another tab), and showing the current state plus a note is the useful answer.
    return HttpResponse(html)


def _task_action(action: Callable[..., object], *, undoable: bool = False) -> Callable:
    @require_POST
    @login_required
    def view(request: HttpRequest, task_id: int) -> HttpResponse:
        try:
            action(owner=request.user, task_id=task_id)
        except DomainError as exc:
            return _panel_response(request, error=exc.message)
        return _panel_response(request, deleted_task_id=task_id if undoable else None)

    view.__name__ = f"task_{action.__name__}_view"
    return view


task_complete = _task_action(task_services.task_complete)
task_reopen = _task_action(task_services.task_reopen)
task_delete = _task_action(task_services.task_delete, undoable=True)
task_restore = _task_action(task_services.task_restore)


@require_POST
@login_required
def task_add(request: HttpRequest) -> HttpResponse:
    try:
        task_services.task_create(owner=request.user, title=request.POST.get("title", ""))
    except DomainError as exc:
        return _panel_response(request, error=exc.message)
    return _panel_response(request)


# --- Conversations ------------------------------------------------------------------------------------------
def _conversation_list_response(request: HttpRequest, active_id: int | None, error: str = "") -> HttpResponse:
    if not request.htmx:
        return redirect(request.headers.get("referer") or "home")
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
