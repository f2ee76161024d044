"""`Authorization: Bearer <token>`: the header the original design's clients send, checked against knox's hashed,
expiring tokens (REST_KNOX: AUTH_HEADER_PREFIX "Bearer", TOKEN_TTL from API_TOKEN_TTL_DAYS)."""

from hmac import compare_digest

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from knox.signals import token_expired
from rest_framework import exceptions

from core import rows

INVALID = "Invalid token."


class BearerTokenAuthentication(TokenAuthentication):
    """knox's check in one plain query per request. knox also loads all of the user's tokens on every request to
    delete the expired ones (a second query); here only the presented token's expiry is checked (an expired one is
    deleted, as knox does), and the user's other expired tokens go when a new token is made
    (users.tokens.token_create). The token and its user come in one row (core.rows): the ORM's query with
    `select_related` cost more to build than to run."""

    def authenticate_credentials(self, token: bytes):
        try:
            text = token.decode("utf-8")
        except UnicodeDecodeError:  # knox would raise it as a 500
            raise exceptions.AuthenticationFailed(INVALID) from None
        digest = hash_token(text)
        for auth_token in _tokens_with_key(text[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if not compare_digest(digest, auth_token.digest):
                continue
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=username, source="auth_token")
                break
            return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(INVALID)


def _tokens_with_key(token_key: str) -> list[AuthToken]:
    """The tokens stored under this key (knox's first characters of a token), each with its user loaded."""
    user_model = get_user_model()
    token_names, token_cols = rows.columns(AuthToken, "t")
    user_names, user_cols = rows.columns(user_model, "u")
    q, token_meta, user_meta = connection.ops.quote_name, AuthToken._meta, user_model._meta
    user_fk = q(token_meta.get_field("user").column)
    # Identifiers from the models' metadata, quoted; the value is a parameter.
    sql = (
        f"SELECT {token_names}, {user_names} FROM {q(token_meta.db_table)} t"  # noqa: S608
        f" JOIN {q(user_meta.db_table)} u ON u.{q(user_meta.pk.column)} = t.{user_fk}"
        f" WHERE t.{q(token_meta.get_field('token_key').column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [token_key])
        found = cursor.fetchall()
    tokens = []
    for row in found:
        auth_token = rows.from_row(AuthToken, token_cols, row[: len(token_cols)])
        AuthToken.user.field.set_cached_value(
            auth_token, rows.from_row(user_model, user_cols, row[len(token_cols) :])
        )
        tokens.append(auth_token)
    return tokens


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes it (drf-spectacular finds extensions by subclassing)."""

    target_class = BearerTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")
