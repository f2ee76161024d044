"""Account errors with stable codes."""

from core.errors import DomainError


class InvalidCredentials(DomainError):
    code, status_code = "invalid_credentials", 401
    default_message = "Wrong username or password."


class InvalidTimezone(DomainError):
    code, field = "invalid_timezone", "timezone"
    default_message = "{value!r} is not a known time zone (use an IANA name such as Europe/Paris)."
