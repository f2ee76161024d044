"""The task panel's actions (HTMX posts with CSRF). Each goes through tasks.services and answers with the
re-rendered panel; a domain error is shown in it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.http import login_required, redirect_back
from tasks import services
from tasks.panel import task_panel_html


def _panel_response(
    request: HttpRequest, *, deleted_task_id: int | None = None, error: str = ""
) -> HttpResponse:
    if not request.htmx:  # a plain form post (no JavaScript): back to the page
        return redirect_back(request)
    html = task_panel_html(request.user, oob=False, deleted_task_id=deleted_task_id, error=error)
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

    view.__name__ = f"{action.__name__}_view"
    return view


task_complete = _task_action(services.task_complete)
task_reopen = _task_action(services.task_reopen)
task_delete = _task_action(services.task_delete, undoable=True)
task_restore = _task_action(services.task_restore)


@require_POST
@login_required
def task_add(request: HttpRequest) -> HttpResponse:
    try:
        services.task_create(owner=request.user, title=request.POST.get("title", ""))
    except DomainError as exc:
        return _panel_response(request, error=exc.message)
    return _panel_response(request)
