"""`Authorization: Bearer <token>`: the header the original design's clients send, checked against knox's hashed,
expiring tokens (REST_KNOX: AUTH_HEADER_PREFIX "Bearer", TOKEN_TTL from API_TOKEN_TTL_DAYS)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from rest_framework import exceptions


class BearerTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:  # knox would raise it as a 500
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        return super().authenticate_credentials(token)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes it (drf-spectacular finds extensions by subclassing)."""

    target_class = BearerTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")
