"""API tokens (django-rest-knox): created, listed and revoked here, whoever asks (the token endpoint, the settings
page, the password-change signal). knox stores a SHA-512 digest and the first 15 characters; the full token exists
only in the answer to its creation."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from knox.models import AuthToken

from core.errors import NotFoundError
from users.models import User

PREFIX_LENGTH = 8  # what the settings page shows of a token (knox keeps 15 characters to look tokens up)


class TokenNotFound(NotFoundError):
    code = "token_not_found"
    default_message = "That token was not found (it may have expired or been revoked)."


def token_create(*, user: User, ttl: timedelta | None = None) -> tuple[AuthToken, str]:
    """A new token for `user`, expiring after `ttl` (REST_KNOX TOKEN_TTL by default). Returns the row and the
    full token, which is never stored. The user's expired tokens are deleted here (knox does it on every request;
    users.authentication only checks the token presented)."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    if ttl is None:
        return AuthToken.objects.create(user=user)
    return AuthToken.objects.create(user=user, expiry=ttl)


def token_list(*, user: User) -> QuerySet[AuthToken]:
    return AuthToken.objects.filter(user=user).order_by("-created")


def token_prefix(token: AuthToken) -> str:
    return token.token_key[:PREFIX_LENGTH]


@transaction.atomic
def token_revoke(*, user: User, token_key: str) -> None:
    """Revoke one of `user`'s tokens, named by its stored key (knox's first 15 characters); someone else's token
    is "not found"."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise TokenNotFound()


def token_revoke_instance(*, token: AuthToken) -> None:
    """Revoke the very token a request authenticated with (DELETE /api/auth/token/)."""
    token.delete()


def tokens_revoke_all(*, user: User) -> int:
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted
