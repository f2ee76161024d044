"""Tasks in the admin. Changes go through tasks.services, so they are validated and announced like any other."""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.errors import DomainError
from tasks import services
from tasks.models import Task
from tasks.recurrence import describe_repeat, parse_repeat


class TaskAdminForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["owner", "title", "description", "due_date", "due_time", "priority", "recurrence"]
        help_texts = {
            "recurrence": 'A repeat ("every monday", "monthly on the 1st") or an RRULE (FREQ=WEEKLY;BYDAY=MO).',
            "due_date": "In the owner's time zone.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "priority" in self.fields:
            self.fields["priority"].required = False

    def clean_priority(self) -> str:
        return self.cleaned_data.get("priority") or Task.Priority.NONE

    def clean_recurrence(self) -> str:
        value = self.cleaned_data.get("recurrence", "")
        if not value:
            return ""
        try:
            return parse_repeat(value)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


class RepeatsFilter(admin.SimpleListFilter):
    title = "repeats"
    parameter_name = "repeats"

    def lookups(self, request, model_admin):
        return [("yes", "Repeating"), ("no", "One-off")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(recurrence="")
        if self.value() == "no":
            return queryset.filter(recurrence="")
        return queryset


class DeletedFilter(admin.SimpleListFilter):
    title = "deleted"
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", "Live"), ("yes", "Deleted")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    form = TaskAdminForm
    list_display = [
        *("id", "title", "owner", "due_date", "due_time", "priority", "repeat"),
        *("completed", "is_deleted", "created_at", "updated_at"),
    ]
    # The due-date filter counts "today" in the server's zone (UTC); the owners' own "today" is the API's.
    list_filter = ["completed", DeletedFilter, "priority", "due_date", RepeatsFilter, "owner"]
    search_fields = ["title"]
    raw_id_fields = ["owner"]
    list_select_related = ["owner"]
    readonly_fields = ["completed", "completed_at", "recurrence_of", "deleted_at", "created_at", "updated_at"]
    actions = ["restore_tasks", "complete_tasks", "soft_delete_tasks"]

    def get_readonly_fields(self, request: HttpRequest, obj: Task | None = None) -> list[str]:
        # The services have no "give this task to someone else": the owner is chosen once, when adding.
        return [*self.readonly_fields, "owner"] if obj else list(self.readonly_fields)

    def has_change_permission(self, request: HttpRequest, obj: Task | None = None) -> bool:
        # A deleted task is view-only until the "restore" action brings it back (the services refuse to edit it).
        if obj is not None and obj.is_deleted:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="repeat", ordering="recurrence")
    def repeat(self, task: Task) -> str:
        return describe_repeat(task.recurrence) if task.recurrence else ""

    @admin.display(boolean=True, description="deleted")
    def is_deleted(self, task: Task) -> bool:
        return task.is_deleted

    def save_model(self, request: HttpRequest, obj: Task, form, change: bool) -> None:
        due = dt.datetime.combine(obj.due_date, obj.due_time) if obj.due_time else obj.due_date
        fields = {
            "title": obj.title,
            "description": obj.description,
            "due": due,
            "priority": obj.priority,
            "repeat": obj.recurrence or None,
        }
        if change:
            services.task_update(owner=obj.owner, task_id=obj.pk, **fields)
        else:
            created = services.task_create(owner=obj.owner, **fields)
            obj.pk = created.pk

    def get_actions(self, request: HttpRequest) -> dict:
        # Django's "Delete selected tasks" sits beside "Soft-delete" and reads as a hard delete: only ours stays.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request: HttpRequest, obj: Task) -> None:
        services.task_delete(owner=obj.owner, task_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        # Not reachable from the changelist any more (see get_actions); kept so nothing can hard-delete by it.
        for task in queryset.filter(deleted_at__isnull=True):
            services.task_delete(owner=task.owner, task_id=task.pk)

    def _apply(self, request: HttpRequest, queryset: QuerySet[Task], service, verb: str) -> None:
        for task in queryset:
            service(owner=task.owner, task_id=task.pk)
        self.message_user(request, f"{verb} {queryset.count()} task(s).", messages.SUCCESS)

    @admin.action(description="Restore selected deleted tasks")
    def restore_tasks(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        self._apply(request, queryset.filter(deleted_at__isnull=False), services.task_restore, "Restored")

    @admin.action(description="Mark selected tasks completed")
    def complete_tasks(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        self._apply(request, queryset.filter(deleted_at__isnull=True), services.task_complete, "Completed")

    @admin.action(description="Soft-delete selected tasks (can be restored)")
    def soft_delete_tasks(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        self._apply(request, queryset.filter(deleted_at__isnull=True), services.task_delete, "Deleted")
