from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.openapi import documented, non_blank_text
from tasks.dates import DUE_FILTERS, describe_repeat, due_label
from tasks.models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Task
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


# What the schema states (core.openapi.documented): the services' rules, which keep their own error codes.
_TITLE = documented(serializers.CharField, non_blank_text(TITLE_MAX_LENGTH))
_DESCRIPTION = documented(serializers.CharField, {"type": "string", "maxLength": DESCRIPTION_MAX_LENGTH})
# The output's own choice set, so the schema has one priority enum.
_PRIORITY = documented(serializers.CharField, serializers.ChoiceField(choices=Task.Priority.choices))
# Dates: the schema states the ISO forms (and "none"/"" to clear); the API also reads phrases (see the README).
_DUE = documented(
    serializers.CharField,
    {
        "oneOf": [{"type": "string", "format": "date"}, {"type": "string", "enum": ["", "none"]}],
        "nullable": True,
        "description": _DUE_HELP,
    },
)
# Repeats: the schema states common phrases; the API reads many more, and RRULEs (see the README).
_REPEAT = documented(
    serializers.CharField,
    {
        "type": "string",
        "enum": ["", "every day", "daily", "every weekday", "weekly", "every 2 weeks", "monthly", "yearly"],
        "nullable": True,
        "description": _REPEAT_HELP,
    },
)


class TaskCreateInputSerializer(serializers.Serializer):
    # Length, emptiness, date and repeat rules live in tasks.services (stable codes); the serializer checks types.
    title = _TITLE(allow_blank=True, trim_whitespace=False, max_length=10_000)
    description = _DESCRIPTION(required=False, allow_blank=True, default="", max_length=10_000)
    due = _DUE(required=False, allow_null=True, allow_blank=True, max_length=200)
    priority = _PRIORITY(required=False, default="none", max_length=20)
    repeat = _REPEAT(required=False, allow_null=True, allow_blank=True, max_length=200)


class TaskUpdateInputSerializer(serializers.Serializer):
    # A field left out is left as it is (tasks.services.UNSET); null clears due and repeat.
    title = _TITLE(required=False, allow_blank=True, trim_whitespace=False, max_length=10_000)
    description = _DESCRIPTION(required=False, allow_blank=True, max_length=10_000)
    due = _DUE(required=False, allow_null=True, allow_blank=True, max_length=200)
    priority = _PRIORITY(required=False, max_length=20)
    repeat = _REPEAT(required=False, allow_null=True, allow_blank=True, max_length=200)


class TaskListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["all", "pending", "completed"], required=False, default="all")
    due = serializers.ChoiceField(choices=list(DUE_FILTERS), required=False)
    priority = serializers.ChoiceField(choices=Task.Priority.values, required=False)
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False)


class TaskPageSerializer(serializers.Serializer):
    """For the schema: one page of the task list."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TaskOutputSerializer(many=True)
