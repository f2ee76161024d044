"""The task panel's actions (HTMX requests; posts carry the CSRF header). Each goes through tasks.services and
answers with the re-rendered panel; a domain error is shown in it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from core.errors import DomainError
from core.http import login_required, redirect_back
from core.ids import parse_id
from tasks import selectors, services
from tasks.forms import TaskFieldsForm
from tasks.panel import Editing, task_edit_html, task_item_html, task_panel_html, task_section_html
from tasks.sections import SECTION_MAX_LIMIT, SECTION_WINDOW, task_panel_item

EDIT_FIELDS = ("title", "description", "due_date", "due_time", "priority", "repeat")


def _panel_response(
    request: HttpRequest,
    *,
    deleted_task_id: int | None = None,
    error: str = "",
    editing: Editing | None = None,
) -> HttpResponse:
    if not request.htmx:  # a plain form post (no JavaScript): back to the page
        return redirect_back(request)
    html = task_panel_html(
        request.user, oob=False, deleted_task_id=deleted_task_id, error=error, editing=editing
    )
    # A failed action still answers 200 with the fresh panel: the usual cause is a stale panel (the task was
    # changed in another tab), and showing the current state plus a note is the useful answer.
    return HttpResponse(html)


def _whole_panel(request: HttpRequest, error: str) -> HttpResponse:
    """For requests aimed at one row (edit, cancel): the row is gone, so the whole body comes back."""
    if not request.htmx:
        raise Http404(error)
    return reswap(retarget(_panel_response(request, error=error), "#task-panel-body"), "outerHTML")


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


@require_GET
@login_required
def task_panel(request: HttpRequest) -> HttpResponse:
    """The body again (after the user's time zone changed, its sections move)."""
    return _panel_response(request)


@require_GET
@login_required
def task_section(request: HttpRequest, key: str) -> HttpResponse:
    """ "Show more": the next window of one section (`?offset=`), only ever the user's own tasks. `?limit=` asks
    for more than one window at once (at most SECTION_MAX_LIMIT): a re-rendered panel restoring what the page had
    shown (static/js/chat.js). The byte budget still applies, with a Show more for the rest."""
    offset = parse_id(request.GET.get("offset")) or 0
    limit = min(parse_id(request.GET.get("limit")) or SECTION_WINDOW, SECTION_MAX_LIMIT)
    try:
        return HttpResponse(task_section_html(request.user, key=key, offset=offset, limit=limit))
    except ValueError:
        raise Http404("No such section.") from None


@require_POST
@login_required
def task_add(request: HttpRequest) -> HttpResponse:
    form = TaskFieldsForm(request.POST)
    if not form.is_valid():
        return _panel_response(request, error=form.first_error())
    try:
        services.task_create(owner=request.user, **form.create_kwargs())
    except DomainError as exc:
        return _panel_response(request, error=exc.message)
    return _panel_response(request)


@require_GET
@login_required
def task_item(request: HttpRequest, task_id: int) -> HttpResponse:
    """One row, as the panel shows it (the edit form's Cancel)."""
    try:
        item = task_panel_item(owner=request.user, task_id=task_id)
    except DomainError as exc:
        return _whole_panel(request, exc.message)
    return HttpResponse(task_item_html(item))


@require_http_methods(["GET", "POST"])
@login_required
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    """GET: the row's inline edit form. POST: save it through task_update; a refused save keeps the form open
    with what was typed, and the error above it."""
    try:
        task = selectors.task_get(owner=request.user, task_id=task_id)
    except DomainError as exc:
        return _whole_panel(request, exc.message)
    if request.method == "GET":
        return HttpResponse(task_edit_html(task))
    form = TaskFieldsForm(request.POST)
    editing = Editing(task_id=task.pk, values={name: request.POST.get(name, "") for name in EDIT_FIELDS})
    if not form.is_valid():
        return _panel_response(request, error=form.first_error(), editing=editing)
    try:
        services.task_update(owner=request.user, task_id=task.pk, **form.update_kwargs(task))
    except DomainError as exc:
        return _panel_response(request, error=exc.message, editing=editing)
    return _panel_response(request)
