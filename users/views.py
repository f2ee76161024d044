"""The settings page (/settings/): the user's time zone and their calendar feed URL.

Plain Django views with CSRF; writes go through users.services. The chat page's "use your browser's time zone?"
prompt posts to `timezone_update` too (with HTMX), and gets a one-line answer in its place.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone as django_timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from core.errors import DomainError
from core.http import login_required
from users.services import user_calendar_token, user_regenerate_calendar_token, user_update_timezone
from users.timezones import timezone_names
from users.token_views import tokens_context

# The chat page's panel listens for this (its sections are computed in the user's zone).
TIMEZONE_CHANGED_EVENT = "timezone-changed"


def _settings_page(request: HttpRequest, *, timezone_value: str = "", error: str = "", status: int = 200):
    user = request.user
    feed_path = reverse("calendar-feed", kwargs={"token": user_calendar_token(user=user)})
    context = {
        "timezone_names": sorted(timezone_names()),
        "timezone_value": timezone_value or user.timezone,
        "timezone_error": error,
        "now": django_timezone.now(),
        "calendar_url": request.build_absolute_uri(feed_path),
        **tokens_context(user),
    }
    return render(request, "users/settings.html", context, status=status)


@require_GET
@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    return _settings_page(request)


@require_POST
@login_required
def timezone_update(request: HttpRequest) -> HttpResponse:
    """Set the zone (from the settings page, or the chat page's prompt, which may also keep the current one)."""
    value = request.POST.get("timezone", "")
    try:
        user = user_update_timezone(user=request.user, timezone=value)
    except DomainError as exc:
        if request.htmx:
            return render(request, "users/_timezone_prompt_answer.html", {"error": exc.message})
        return _settings_page(request, timezone_value=value, error=exc.message, status=400)
    if request.htmx:
        response = render(request, "users/_timezone_prompt_answer.html", {"zone": user.timezone})
        return trigger_client_event(response, TIMEZONE_CHANGED_EVENT)
    messages.success(request, f"Your time zone is now {user.timezone}.")
    return redirect("settings")


@require_POST
@login_required
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    user_regenerate_calendar_token(user=request.user)
    messages.success(request, "Your calendar has a new URL. The old one no longer works.")
    return redirect(reverse("settings") + "#calendar")
