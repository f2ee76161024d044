"""Chat domain errors with stable codes."""

from core.errors import ConflictError, DomainError, NotFoundError, RateLimitedError


class ConversationNotFound(NotFoundError):
    code, field = "conversation_not_found", "conversation_id"
    default_message = "Conversation {conversation_id} was not found."


class ConversationTitleRequired(DomainError):
    code, field = "title_required", "title"
    default_message = "A conversation needs a title."


class ConversationTitleTooLong(DomainError):
    code, field = "title_too_long", "title"
    default_message = "A title can be at most {limit} characters."


class MessageRequired(DomainError):
    code, field = "message_required", "message"
    default_message = "Write a message first."


class MessageTooLong(DomainError):
    code, field = "message_too_long", "message"
    default_message = "A message can be at most {limit} characters."


class MessageUnreadable(DomainError):
    code, field = "message_invalid_characters", "message"
    default_message = "The message contains characters that cannot be saved (NUL or an unpaired surrogate)."


def _wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    if minutes < 60:
        return f"{minutes} minutes"
    return f"{minutes // 60} h {minutes % 60} min"


class ChatRateLimited(RateLimitedError):
    code = "rate_limited"
    default_message = "You're sending messages too fast. You can send again in {wait}."

    def __init__(self, *, retry_after: int):
        super().__init__(retry_after=retry_after, wait=_wait_words(retry_after))


class DailyQuotaReached(RateLimitedError):
    code = "daily_quota_reached"
    default_message = (
        "You've used today's assistant allowance ({limit:,} tokens). It resets at midnight UTC, in {wait}."
    )

    def __init__(self, *, limit: int, retry_after: int):
        super().__init__(retry_after=retry_after, limit=limit, wait=_wait_words(retry_after))


class TurnInProgress(ConflictError):
    code = "turn_in_progress"
    default_message = "The assistant is still answering in this conversation."


class MessageNotFound(NotFoundError):
    code, field = "message_not_found", "message_id"
    default_message = "Message {message_id} was not found."


class NotLastQuestion(ConflictError):
    code, field = "not_last_question", "message_id"
    default_message = "Only the last question can be edited or answered again."


class FeedbackInvalid(DomainError):
    code, field = "feedback_invalid", "rating"
    default_message = "Feedback is a thumbs up or a thumbs down, with a comment of at most 2,000 characters."
