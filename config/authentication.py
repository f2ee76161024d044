"""`Authorization: Bearer <token>`: the header the original design's clients send."""

from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    keyword = "Bearer"
