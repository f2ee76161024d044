"""The calendar feed: /calendar/<secret>.ics, no login (the secret is the key), 404 for any other secret."""

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from tasks.calendar import task_calendar
from users.selectors import user_by_calendar_token


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    owner = user_by_calendar_token(token=token)
    if owner is None:
        raise Http404("No such calendar.")
    response = HttpResponse(task_calendar(owner=owner), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="tasks.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
