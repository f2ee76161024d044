"""Usage and cost in the admin, per user and per day, read from UsageDay rows (which outlive conversations)."""

from django.contrib import admin
from django.db.models import F, QuerySet, Sum
from django.http import HttpRequest

from chat.admin_base import ReadOnlyMixin
from chat.models import UsageDay, UserUsage
from chat.usage import estimate_cost


class _TokenColumns:
    """Columns over rows with prompt/completion/reasoning/cached token counts (fields or annotations)."""

    @admin.display(description="tokens in", ordering="prompt_tokens")
    def tokens_in(self, row) -> int:
        return row.prompt_tokens or 0

    @admin.display(description="of which cached", ordering="cached_tokens")
    def tokens_cached(self, row) -> int:
        return row.cached_tokens or 0

    @admin.display(description="tokens out", ordering="completion_tokens")
    def tokens_out(self, row) -> int:
        return row.completion_tokens or 0

    @admin.display(description="of which reasoning", ordering="reasoning_tokens")
    def tokens_reasoning(self, row) -> int:
        return row.reasoning_tokens or 0

    @admin.display(description="est. cost (USD)")
    def cost_usd(self, row) -> str:
        return f"${estimate_cost(row.prompt_tokens, row.completion_tokens, row.cached_tokens)}"


_COLUMNS = ["turns", "tokens_in", "tokens_cached", "tokens_out", "tokens_reasoning", "cost_usd"]


@admin.register(UserUsage)
class UserUsageAdmin(_TokenColumns, ReadOnlyMixin, admin.ModelAdmin):
    """All-time usage per user: the sum of their days (deleted conversations included)."""

    list_display = ["username", *_COLUMNS]
    search_fields = ["username", "email"]
    fields = list_display
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[UserUsage]:
        sums = {
            name: Sum(f"usage_days__{name}")
            for name in ("turns", "prompt_tokens", "completion_tokens", "reasoning_tokens", "cached_tokens")
        }
        # Annotations named like UsageDay's fields, so both admins share the columns.
        return UserUsage.objects.annotate(**sums).order_by(
            F("completion_tokens").desc(nulls_last=True), "username"
        )

    @admin.display(description="turns", ordering="turns")
    def turns(self, user: UserUsage) -> int:
        return user.turns or 0


@admin.register(UsageDay)
class UsageDayAdmin(_TokenColumns, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["day", "user", *_COLUMNS]
    list_filter = ["day"]
    date_hierarchy = "day"
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
    fields = ["day", "user", *_COLUMNS]
    readonly_fields = fields
