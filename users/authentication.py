"""`Authorization: Bearer <token>`: the header the original design's clients send, checked against knox's hashed,
expiring tokens (REST_KNOX: AUTH_HEADER_PREFIX "Bearer", TOKEN_TTL from API_TOKEN_TTL_DAYS)."""

from hmac import compare_digest

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from knox.signals import token_expired
from rest_framework import exceptions

INVALID = "Invalid token."


class BearerTokenAuthentication(TokenAuthentication):
    """knox's check in one query per request. knox also loads all of the user's tokens on every request to delete
    the expired ones (a second query, ~half of an API request's authentication); here only the presented token's
    expiry is checked (an expired one is deleted, as knox does), and the user's other expired tokens go when a
    new token is made (users.tokens.token_create)."""

    def authenticate_credentials(self, token: bytes):
        try:
            text = token.decode("utf-8")
        except UnicodeDecodeError:  # knox would raise it as a 500
            raise exceptions.AuthenticationFailed(INVALID) from None
        digest = hash_token(text)
        candidates = AuthToken.objects.filter(token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH]).select_related(
            "user"
        )
        for auth_token in candidates:
            if not compare_digest(digest, auth_token.digest):
                continue
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=username, source="auth_token")
                break
            return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(INVALID)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes it (drf-spectacular finds extensions by subclassing)."""

    target_class = BearerTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")
