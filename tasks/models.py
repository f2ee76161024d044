from django.conf import settings
from django.db import models
from django.db.models import Q

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000


class Task(models.Model):
    """A todo item. Read it through tasks.selectors, change it through tasks.services."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    completed = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
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
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
