from rest_framework import serializers

from tasks.models import Task


class TaskOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title", "description", "completed", "completed_at", "created_at", "updated_at"]
        read_only_fields = fields


class TaskCreateInputSerializer(serializers.Serializer):
    # Length and emptiness rules live in tasks.services (stable codes); the serializer checks types.
    title = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=10_000)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)


class TaskUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, max_length=10_000)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class TaskListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["all", "pending", "completed"], required=False, default="all")
