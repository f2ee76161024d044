from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from knox.models import AuthToken

from users.models import User
from users.tokens import token_prefix


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [*DjangoUserAdmin.list_display, "timezone"]
    list_filter = [*DjangoUserAdmin.list_filter, "timezone_chosen"]
    fieldsets = [*DjangoUserAdmin.fieldsets, ("Preferences", {"fields": ["timezone", "timezone_chosen"]})]


# API tokens: knox's admin lists digests; ours shows what a user sees on the settings page (a short prefix) and
# lets staff revoke. The full token is never stored, so there is nothing more to show.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "created", "expiry"]
    list_filter = ["created", "expiry"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = ["prefix", "user", "created", "expiry"]
    readonly_fields = fields
    ordering = ["-created"]

    @admin.display(description="token starts with")
    def prefix(self, token: AuthToken) -> str:
        return f"{token_prefix(token)}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens come from POST /api/auth/token/ or the settings page, where the user sees them once

    def has_change_permission(self, request: HttpRequest, obj: AuthToken | None = None) -> bool:
        return False
