from django.conf import settings
from rest_framework import serializers

from chat.models import Conversation, Message
from chat.selectors import TRANSCRIPT_PAGE
from core.openapi import documented, non_blank_text

# The schema states the engine's and the services' rules (they keep their own codes: message_required …).
_MESSAGE = documented(serializers.CharField, non_blank_text(settings.CHAT_MESSAGE_MAX_CHARS))
_TITLE = documented(serializers.CharField, non_blank_text(200))
MESSAGE_PAGE_DEFAULT, MESSAGE_PAGE_MAX = TRANSCRIPT_PAGE, 200


class ChatInputSerializer(serializers.Serializer):
    # Size rules (1–4,096 characters after trimming) are the engine's, so every interface reports them the same
    # way: no max_length here, or a very long message would be `invalid` instead of `message_too_long`.
    message = _MESSAGE(allow_blank=True, trim_whitespace=False)
    conversation_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class ToolCallOutputSerializer(serializers.Serializer):
    tool = serializers.CharField()
    params = serializers.DictField()
    result = serializers.DictField()


class ChatOutputSerializer(serializers.Serializer):
    conversation_id = serializers.IntegerField()
    response = serializers.CharField()
    tool_calls = ToolCallOutputSerializer(many=True)
    offline_demo = serializers.BooleanField(
        help_text="True when the built-in offline demo assistant answered."
    )
    status = serializers.ChoiceField(
        choices=["complete", "partial"],
        help_text="partial: the reply was kept but is incomplete (see notice), e.g. it hit the length limit.",
    )
    notice = serializers.CharField(allow_blank=True, help_text="What to tell the user about a partial reply.")


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()
    conversation_id = serializers.IntegerField(required=False)
    response = serializers.CharField(
        required=False, help_text="Chat errors: the text that had arrived (saved)."
    )
    retry_after = serializers.IntegerField(
        required=False, help_text="429: seconds until sending works again."
    )


class MessageOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "role",
            "content",
            "reasoning",
            "tool_calls",
            "tool_call_id",
            "tool_name",
            "status",
            "error_code",
            "error_message",
            "model",
            "prompt_tokens",
            "completion_tokens",
            "reasoning_tokens",
            "latency_ms",
            "created_at",
        ]
        read_only_fields = fields


class ConversationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Conversation
        fields = ["id", "title", "created_at", "updated_at"]
        read_only_fields = fields


class ConversationDetailOutputSerializer(ConversationOutputSerializer):
    """For the schema: the conversation with one page of its messages, in order."""

    messages = MessageOutputSerializer(many=True, read_only=True)
    next = serializers.URLField(
        allow_null=True,
        read_only=True,
        help_text="The page of messages before this one (`?before=<its first message id>`); null at the start.",
    )

    class Meta(ConversationOutputSerializer.Meta):
        fields = [*ConversationOutputSerializer.Meta.fields, "messages", "next"]
        read_only_fields = fields


class MessagePageQuerySerializer(serializers.Serializer):
    """Which page of a conversation's messages: the newest first, then `next` for the ones before."""

    before = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="A message id of this conversation: the page ends just before it. Left out: the newest page.",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MESSAGE_PAGE_MAX,
        default=MESSAGE_PAGE_DEFAULT,
        help_text="Messages per page, at most (a page also stays under about 60,000 characters and starts at a "
        "question: it never splits a turn, so a single turn longer than `limit` comes whole).",
    )


class ConversationStopOutputSerializer(serializers.Serializer):
    conversation_id = serializers.IntegerField()
    stopping = serializers.BooleanField(
        help_text="True when a turn was running and was asked to stop; false when none was running."
    )


class ConversationRenameInputSerializer(serializers.Serializer):
    title = _TITLE(allow_blank=True, max_length=10_000)


class ConversationPageSerializer(serializers.Serializer):
    """For the schema: one page of the conversation list."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ConversationOutputSerializer(many=True)
