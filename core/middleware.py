"""Refuse NUL characters in query strings and form posts with a clear 400 before any view sees them.

PostgreSQL cannot store NUL in text columns, so a NUL in a title or a message would otherwise end as a 500 when
saved. JSON bodies are DRF's: its CharField refuses NUL with a field error of its own.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.utils.deprecation import MiddlewareMixin

MESSAGE = "The request contained a NUL character, which is not allowed in text."
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


class RejectNulMiddleware(MiddlewareMixin):
    """Sync and async capable (MiddlewareMixin): under daphne the rest of the chain stays async."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        found = _has_nul(request.GET)
        if not found and request.method == "POST" and request.content_type in FORM_TYPES:
            found = _has_nul(request.POST)
        if found:
            if request.path.startswith("/api/"):
                return JsonResponse({"message": MESSAGE, "code": "invalid"}, status=400)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return None
