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


class DueUnparseable(DomainError):
    code, field = "due_unparseable", "due"
    default_message = 'I couldn\'t read "{text}" as a date.'


class RepeatUnparseable(DomainError):
    code, field = "repeat_unparseable", "repeat"
    default_message = (
        'I couldn\'t read "{text}" as a repeat. Try "every day", "every weekday", "every monday and thursday", '
        '"every 2 weeks", "monthly on the 1st" or "every year".'
    )


class InvalidPriority(DomainError):
    code, field = "invalid_priority", "priority"
    default_message = "Priority must be none, low, medium or high, not {value!r}."


class InvalidDueFilter(DomainError):
    code, field = "invalid_due_filter", "due"
    default_message = (
        "The due filter must be overdue, today, tomorrow, this_week, upcoming or no_date, not {value!r}."
    )


class InvalidOrdering(DomainError):
    code, field = "invalid_ordering", "ordering"
    default_message = "Ordering must be due, -due, priority or -created, not {value!r}."
