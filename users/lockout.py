"""What a locked-out login gets (settings.AXES_LOCKOUT_CALLABLE): JSON `{"message", "code": "locked_out"}` under
/api/, the login page with the message elsewhere (the site's and the admin's), HTTP 429 with Retry-After."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from users.errors import LoginLockedOut


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    error = LoginLockedOut()
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error.as_dict(), status=error.status_code)
    else:
        response = render(
            request, "registration/locked_out.html", {"message": error.message}, status=error.status_code
        )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
