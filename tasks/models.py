from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000
RECURRENCE_MAX_LENGTH = 200


class Task(models.Model):
    """A todo item. Read it through tasks.selectors, change it through tasks.services."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)

    class Priority(models.TextChoices):
        NONE = "none", "None"
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    completed = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    # A due date is a wall-clock date (and maybe time) in the owner's zone, not an instant: "Friday 17:00"
    # stays Friday 17:00 for them wherever the server is. A time only comes with a date.
    due_date = models.DateField(null=True, blank=True)
    due_time = models.TimeField(null=True, blank=True)
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.NONE)
    # An RFC 5545 RRULE without the "RRULE:" prefix (e.g. FREQ=WEEKLY;BYDAY=MO); empty: no repeat. Needs a due date.
    recurrence = models.CharField(max_length=RECURRENCE_MAX_LENGTH, blank=True)
    # The completed task this occurrence was spawned from (tasks.services.task_complete).
    recurrence_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_occurrences"
    )
    # Soft delete so that a delete (by a person or by the assistant) can be undone.
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # "This user's pending (or completed) tasks, newest first", deleted rows left out of the index.
            models.Index(
                fields=["owner", "completed", "-created_at"],
                condition=Q(deleted_at__isnull=True),
                name="task_owner_live_idx",
            ),
            # "This user's pending tasks by due date" (the due filters and ordering).
            models.Index(
                fields=["owner", "completed", "due_date"],
                condition=Q(deleted_at__isnull=True),
                name="task_owner_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # tasks.services never get here with these (they raise coded errors first); the admin form does.
        if self.due_time is not None and self.due_date is None:
            raise ValidationError({"due_time": "A time needs a date."})
        if self.recurrence and self.due_date is None:
            raise ValidationError({"recurrence": "A repeat needs a due date."})

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def next_occurrence(self) -> "Task | None":
        """The live task spawned when this recurring task was completed (None if none, or it was removed)."""
        if self.pk is None:
            return None
        return self.next_occurrences.filter(deleted_at__isnull=True).order_by("-created_at", "-id").first()
