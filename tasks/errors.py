"""Task domain errors with stable codes."""

from core.errors import DomainError, NotFoundError


class TaskNotFound(NotFoundError):
    code, field = "task_not_found", "task_id"
    default_message = "Task {task_id} was not found."


class TitleRequired(DomainError):
    code, field = "title_required", "title"
    default_message = "A task needs a title."


class TitleTooLong(DomainError):
    code, field = "title_too_long", "title"
    default_message = "A title can be at most {limit} characters."


class DescriptionTooLong(DomainError):
    code, field = "description_too_long", "description"
    default_message = "A description can be at most {limit} characters."


class InvalidStatus(DomainError):
    code, field = "invalid_status", "status"
    default_message = "Status must be all, pending or completed, not {value!r}."


class NothingToUpdate(DomainError):
    code = "nothing_to_update"
    default_message = "Give a new title or description."
