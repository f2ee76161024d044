"""Chat transcripts and usage in the admin: read-only, a product surface for support and cost."""

from django.contrib import admin
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from chat.admin_base import ReadOnlyMixin
from chat.models import Conversation, Message
from chat.usage import estimate_cost


class MessageInline(ReadOnlyMixin, admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    fields = ["created_at", "role", "status", "text", "tools", "thinking", "rated", "tokens", "latency_ms"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return super().get_queryset(request).select_related("feedback")

    @admin.display(description="content")
    def text(self, message: Message) -> str:
        if message.replaced_at:
            return format_html("<s>{}</s><br><em>replaced {}</em>", message.content, message.replaced_at)
        if message.error_message:
            return format_html(
                "{}<br><em>⚠ {} ({})</em>", message.content, message.error_message, message.error_code
            )
        return message.content

    @admin.display(description="tool calls / result")
    def tools(self, message: Message) -> str:
        if message.role == Message.Role.TOOL:
            return format_html("<code>{}</code> → <code>{}</code>", message.tool_name, message.content)
        return format_html_join(
            "",
            "<div><code>{}({})</code></div>",
            ((c.get("name"), c.get("arguments")) for c in message.tool_calls),
        )

    @admin.display(description="reasoning")
    def thinking(self, message: Message) -> str:
        if not message.reasoning:
            return ""
        return format_html("<details><summary>Thinking…</summary>{}</details>", message.reasoning)

    @admin.display(description="feedback")
    def rated(self, message: Message) -> str:
        feedback = getattr(message, "feedback", None) if message.role == Message.Role.ASSISTANT else None
        if feedback is None:
            return ""
        icon = "👍" if feedback.rating == "good" else "👎"
        return format_html("{} {}<br>{}", icon, feedback.get_rating_display(), feedback.comment)

    @admin.display(description="tokens in/out (reasoning)")
    def tokens(self, message: Message) -> str:
        if message.prompt_tokens is None:
            return ""
        return f"{message.prompt_tokens}/{message.completion_tokens} ({message.reasoning_tokens or 0})"


class UsageColumnsMixin:
    """Columns over a queryset annotated with `prompt_sum` and `completion_sum` (tokens)."""

    @admin.display(description="tokens in", ordering="prompt_sum")
    def tokens_in(self, row) -> int:
        return row.prompt_sum or 0

    @admin.display(description="tokens out", ordering="completion_sum")
    def tokens_out(self, row) -> int:
        return row.completion_sum or 0

    @admin.display(description="est. cost (USD)")
    def cost_usd(self, row) -> str:
        return f"${estimate_cost(row.prompt_sum, row.completion_sum)}"


@admin.register(Conversation)
class ConversationAdmin(UsageColumnsMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "owner",
        "message_count",
        "tokens_in",
        "tokens_out",
        "cost_usd",
        "updated_at",
    ]
    list_filter = ["updated_at", "messages__feedback__rating", "owner"]
    search_fields = ["title", "owner__username", "messages__content"]
    raw_id_fields = ["owner"]
    readonly_fields = ["owner", "title", "created_at", "updated_at", "cost_usd"]
    inlines = [MessageInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # conversations come from chats, not from the admin

    def get_queryset(self, request: HttpRequest) -> QuerySet[Conversation]:
        return (
            super()
            .get_queryset(request)
            .select_related("owner")
            .annotate(
                n_messages=Count("messages", distinct=True),
                prompt_sum=Sum("messages__prompt_tokens"),
                completion_sum=Sum("messages__completion_tokens"),
            )
        )

    @admin.display(description="messages", ordering="n_messages")
    def message_count(self, conversation: Conversation) -> int:
        return conversation.n_messages


# Usage per user and per day (from UsageDay rows) lives in its own module; so do the feedback pages.
from chat import admin_feedback, admin_usage  # noqa: E402, F401  (they register themselves)
