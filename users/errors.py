"""Account errors with stable codes."""

from django.conf import settings

from core.errors import DomainError


class InvalidCredentials(DomainError):
    code, status_code = "invalid_credentials", 401
    default_message = "Wrong username or password."


class InvalidTimezone(DomainError):
    code, field = "invalid_timezone", "timezone"
    default_message = "{value!r} is not a known time zone (use an IANA name such as Europe/Paris)."


class LoginLockedOut(DomainError):
    code, status_code = "locked_out", 429
    default_message = "Too many failed login attempts. Try again in {minutes} minutes."

    def __init__(self, message: str | None = None, **params):
        minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
        super().__init__(message, **{"minutes": minutes, **params})


class NotATokenRequest(DomainError):
    code, status_code = "not_authenticated", 401
    default_message = "Send the token to revoke as `Authorization: Bearer <token>`."
