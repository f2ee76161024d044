from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from users.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [*DjangoUserAdmin.list_display, "timezone"]
    list_filter = [*DjangoUserAdmin.list_filter, "timezone_chosen"]
    fieldsets = [*DjangoUserAdmin.fieldsets, ("Preferences", {"fields": ["timezone", "timezone_chosen"]})]
