"""The one domain error type. Every layer knows how to present it: the API as JSON, the tools as a tool result."""


class DomainError(Exception):
    """A rule of the domain was not met. `code` is stable (clients and the model match on it)."""

    status_code = 400

    def __init__(self, code: str, message: str, *, field: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        if status_code is not None:
            self.status_code = status_code

    def as_dict(self) -> dict:
        data = {"message": self.message, "code": self.code}
        if self.field:
            data["field"] = self.field
        return data


class NotFoundError(DomainError):
    """Missing, deleted, or someone else's: the caller can't tell which (no existence leaks)."""

    status_code = 404
