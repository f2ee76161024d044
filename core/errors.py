"""The one domain error type. Every layer knows how to present it: the API as JSON, the tools as a tool result.

Each error is a class with a stable `code`, a default `status_code` and (optionally) the `field` it is about:

    class TitleRequired(DomainError):
        code, field = "title_required", "title"
        default_message = "A task needs a title."

    raise TitleRequired()                     # or TitleTooLong(limit=200) with a formatted message
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A rule of the domain was not met. `code` is stable (clients and the model match on it)."""

    code: ClassVar[str] = "invalid"
    status_code: ClassVar[int] = 400
    field: ClassVar[str | None] = None
    default_message: ClassVar[str] = "That is not allowed."

    def __init__(self, message: str | None = None, **params: Any):
        self.params = params
        self.message = message or self.default_message.format(**params)
        super().__init__(self.message)

    def as_dict(self) -> dict:
        data = {"message": self.message, "code": self.code}
        if self.field:
            data["field"] = self.field
        return data


class NotFoundError(DomainError):
    """Missing, deleted, or someone else's: the caller can't tell which (no existence leaks)."""

    code = "not_found"
    status_code = 404
    default_message = "Not found."


class ConflictError(DomainError):
    status_code = 409


class RateLimitedError(DomainError):
    """Refused for now. `retry_after` (seconds, when known) goes into the body and the API's Retry-After header."""

    status_code = 429

    def __init__(self, message: str | None = None, *, retry_after: int | None = None, **params: Any):
        self.retry_after = retry_after
        super().__init__(message, retry_after=retry_after, **params)

    def as_dict(self) -> dict:
        data = super().as_dict()
        if self.retry_after is not None:
            data["retry_after"] = self.retry_after
        return data
