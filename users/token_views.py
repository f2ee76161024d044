"""The user's API tokens on the web: list (prefix, created, expiry), create (the full token is shown once, in the
answer to the creation) and revoke. `/settings/tokens/` is a page of its own; `templates/users/_tokens.html` is the
fragment the settings page can include (every action answers with the fragment to HTMX, the page otherwise)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.http import login_required
from users.tokens import token_create, token_list, token_prefix, token_revoke


def tokens_context(user, *, new_token: str = "", error: str = "") -> dict:
    """What `users/_tokens.html` needs (a settings page including the fragment passes this along)."""
    now = timezone.now()
    tokens = [
        {
            "key": token.token_key,
            "prefix": token_prefix(token),
            "created": token.created,
            "expiry": token.expiry,
            "expired": token.expiry is not None and token.expiry <= now,
        }
        for token in token_list(user=user)
    ]
    ttl_days = settings.REST_KNOX["TOKEN_TTL"].days
    return {"api_tokens": tokens, "new_token": new_token, "token_error": error, "token_ttl_days": ttl_days}


def _answer(request: HttpRequest, **context) -> HttpResponse:
    template = "users/_tokens.html" if request.htmx else "users/tokens.html"
    return render(request, template, tokens_context(request.user, **context))


@require_GET
@login_required
def tokens_page(request: HttpRequest) -> HttpResponse:
    return _answer(request)


@require_POST
@login_required
def token_create_view(request: HttpRequest) -> HttpResponse:
    _, raw = token_create(user=request.user)
    # Rendered, not redirected: this answer is the only place the full token ever appears.
    response = _answer(request, new_token=raw)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def token_revoke_view(request: HttpRequest, token_key: str) -> HttpResponse:
    try:
        token_revoke(user=request.user, token_key=token_key)
    except DomainError as exc:
        return _answer(request, error=exc.message)
    if request.htmx:
        return _answer(request)
    messages.success(request, "Token revoked.")
    return redirect("tokens")
