"""Task domain errors with stable codes."""

from config.errors import DomainError, NotFoundError


class TaskNotFound(NotFoundError):
    def __init__(self, task_id: object):
        super().__init__("task_not_found", f"Task {task_id} was not found.", field="task_id")


def title_required() -> DomainError:
    return DomainError("title_required", "A task needs a title.", field="title")


def title_too_long(limit: int) -> DomainError:
    return DomainError("title_too_long", f"A title can be at most {limit} characters.", field="title")


def description_too_long(limit: int) -> DomainError:
    return DomainError(
        "description_too_long", f"A description can be at most {limit} characters.", field="description"
    )


def invalid_status(value: object) -> DomainError:
    return DomainError(
        "invalid_status", f"Status must be all, pending or completed, not {value!r}.", field="status"
    )
