"""Account errors with stable codes."""

from core.errors import DomainError


class InvalidCredentials(DomainError):
    code, status_code = "invalid_credentials", 401
    default_message = "Wrong username or password."
