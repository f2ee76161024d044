"""Every API error is JSON `{"message", "code"}` (plus `fields` for bad input), never an HTML page."""

import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import csrf
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

logger = logging.getLogger(__name__)


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            inner = _first_message(value)
            return inner if field == "non_field_errors" else f"{field}: {inner}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return Response(exc.as_dict(), status=exc.status_code, headers=headers)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(
            {"message": "Something went wrong on our side.", "code": "server_error"},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        body = {"message": _first_message(exc.detail), "code": "invalid"}
        if isinstance(exc.detail, dict):
            body["fields"] = exc.detail
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {"message": _first_message(response.data.get("detail", response.data)), "code": str(codes)}
    response.data = body
    return response


@csrf_exempt  # it changes nothing: a POST or DELETE to an unknown API path is a 404, not a CSRF failure
def json_404(request: HttpRequest, exception: Exception | None = None):
    return JsonResponse({"message": "Not found.", "code": "not_found"}, status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        message = "CSRF verification failed. API clients send `Authorization: Bearer <token>`."
        return JsonResponse({"message": message, "code": "csrf_failed"}, status=403)
    return csrf.csrf_failure(request, reason=reason)


def json_500(request: HttpRequest):
    return JsonResponse({"message": "Something went wrong on our side.", "code": "server_error"}, status=500)
