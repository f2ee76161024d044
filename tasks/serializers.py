from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tasks.dates import DUE_FILTERS, describe_repeat, due_label
from tasks.models import Task
from tasks.selectors import ORDERINGS


class TaskOutputSerializer(serializers.ModelSerializer):
    """`due_label` is in the zone given as context["tz"] (the API passes the user's), else the owner's."""

    due_time = serializers.TimeField(format="%H:%M", read_only=True, allow_null=True)
    due_label = serializers.SerializerMethodField()
    repeat = serializers.SerializerMethodField()
    recurrence = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            *("id", "title", "description", "completed", "completed_at", "created_at", "updated_at"),
            *("due_date", "due_time", "due_label", "priority", "repeat", "recurrence"),
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_due_label(self, task: Task) -> str | None:
        if task.due_date is None:
            return None
        tz = self.context.get("tz") or task.owner.timezone
        now = self.context.setdefault("now", timezone.now())  # one instant for a whole page
        return due_label(task.due_date, task.due_time, tz=tz, now=now)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_repeat(self, task: Task) -> str | None:
        return describe_repeat(task.recurrence) if task.recurrence else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_recurrence(self, task: Task) -> str | None:
        return task.recurrence or None


_DUE_HELP = (
    'A date phrase ("tomorrow 5pm", "on friday", "24/12") or ISO date/datetime, in your zone; null clears.'
)
_REPEAT_HELP = 'A repeat ("every weekday", "every 2 weeks", "monthly on the 1st") or an RRULE; null clears.'


class TaskCreateInputSerializer(serializers.Serializer):
    # Length, emptiness, date and repeat rules live in tasks.services (stable codes); the serializer checks types.
    title = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=10_000)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    due = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=200, help_text=_DUE_HELP
    )
    priority = serializers.CharField(
        required=False, default="none", max_length=20, help_text="none, low, medium, high"
    )
    repeat = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=200, help_text=_REPEAT_HELP
    )


class TaskUpdateInputSerializer(serializers.Serializer):
    # A field left out is left as it is (tasks.services.UNSET); null clears due and repeat.
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=10_000)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    due = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=200, help_text=_DUE_HELP
    )
    priority = serializers.CharField(required=False, max_length=20, help_text="none, low, medium, high")
    repeat = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=200, help_text=_REPEAT_HELP
    )


class TaskListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["all", "pending", "completed"], required=False, default="all")
    due = serializers.ChoiceField(choices=list(DUE_FILTERS), required=False)
    priority = serializers.ChoiceField(choices=Task.Priority.values, required=False)
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False)
