from django.conf import settings
from django.db import models

from users.models import User


class Conversation(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="conversation_owner_recent_idx")]

    def __str__(self) -> str:
        return self.title or f"Conversation {self.pk}"


class Message(models.Model):
    """One entry of a transcript. A turn is: user, then (assistant with tool calls, tool results)*, then assistant."""

    class Role(models.TextChoices):
        USER = "user"
        ASSISTANT = "assistant"
        TOOL = "tool"

    class Status(models.TextChoices):
        COMPLETE = "complete"
        PARTIAL = "partial"  # the upstream failed after some text arrived
        STOPPED = "stopped"  # the user pressed Stop
        ERROR = "error"  # the turn failed; content holds what the user was told

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=16, choices=Role.choices)
    content = models.TextField(blank=True)
    # Shown to the user (collapsed) but never sent back to the model.
    reasoning = models.TextField(blank=True)
    # Assistant messages: [{"id", "name", "arguments"}] with arguments as the model's raw JSON string.
    tool_calls = models.JSONField(default=list, blank=True)
    # Tool messages: which call this answers and which tool ran.
    tool_call_id = models.CharField(max_length=100, blank=True)
    tool_name = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.COMPLETE)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=300, blank=True)  # what the user was told
    model = models.CharField(max_length=100, blank=True)
    prompt_tokens = models.PositiveIntegerField(null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(null=True, blank=True)
    reasoning_tokens = models.PositiveIntegerField(null=True, blank=True)
    # Groq's queue/prompt/completion/total times (seconds) as reported with usage.
    timings = models.JSONField(default=dict, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    # How long the model reasoned before its first visible text (a turn's last assistant message); None: unknown.
    thought_ms = models.PositiveIntegerField(null=True, blank=True)
    # Set when the user regenerated this reply or edited this question: kept and shown (marked), never sent to
    # the model again; the model sees only the current branch.
    replaced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at", "id"], name="message_conversation_order_idx")
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:60]}"


class MessageFeedback(models.Model):
    """A thumbs up or down (with an optional comment) on one assistant reply, by the conversation's owner."""

    class Rating(models.TextChoices):
        GOOD = "good"
        BAD = "bad"

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="feedback")
    rating = models.CharField(max_length=8, choices=Rating.choices)
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "message feedback"

    def __str__(self) -> str:
        return f"{self.rating} on message {self.message_id}"


class FeedbackPerDay(MessageFeedback):
    """The admin's "feedback per day" page: a proxy over feedback, grouped by day."""

    class Meta:
        proxy = True
        verbose_name = "feedback per day"
        verbose_name_plural = "feedback per day"


class UserUsage(User):
    """The admin's "usage per user" page: a proxy over users, annotated with their token totals."""

    class Meta:
        proxy = True
        verbose_name = "usage per user"
        verbose_name_plural = "usage per user"


class UsageDay(models.Model):
    """A user's model usage on one UTC day: added to as each turn ends, never recomputed from messages, so
    deleting a conversation keeps its spend (the daily quota and the admin's cost read these rows)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="usage_days")
    day = models.DateField()
    turns = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveBigIntegerField(default=0)
    completion_tokens = models.PositiveBigIntegerField(default=0)
    reasoning_tokens = models.PositiveBigIntegerField(default=0)
    cached_tokens = models.PositiveBigIntegerField(default=0)  # of prompt_tokens: prompt-cache hits

    class Meta:
        ordering = ["-day", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="usage_day_one_row_per_user_day")]
        verbose_name = "usage per day"
        verbose_name_plural = "usage per day"

    def __str__(self) -> str:
        return f"{self.user_id} on {self.day}"

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens
