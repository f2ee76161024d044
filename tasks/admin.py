"""Tasks in the admin. Changes go through tasks.services, so they are validated and announced like any other."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tasks import services
from tasks.models import Task


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
    list_display = ["id", "title", "owner", "completed", "is_deleted", "created_at", "updated_at"]
    list_filter = ["completed", DeletedFilter, "owner"]
    search_fields = ["title"]
    raw_id_fields = ["owner"]
    list_select_related = ["owner"]
    readonly_fields = ["completed", "completed_at", "deleted_at", "created_at", "updated_at"]
    actions = ["restore_tasks", "complete_tasks", "soft_delete_tasks"]

    def get_readonly_fields(self, request: HttpRequest, obj: Task | None = None) -> list[str]:
        # The services have no "give this task to someone else": the owner is chosen once, when adding.
        return [*self.readonly_fields, "owner"] if obj else list(self.readonly_fields)

    def has_change_permission(self, request: HttpRequest, obj: Task | None = None) -> bool:
        # A deleted task is view-only until the "restore" action brings it back (the services refuse to edit it).
        if obj is not None and obj.is_deleted:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(boolean=True, description="deleted")
    def is_deleted(self, task: Task) -> bool:
        return task.is_deleted

    def save_model(self, request: HttpRequest, obj: Task, form, change: bool) -> None:
        if change:
            services.task_update(
                owner=obj.owner, task_id=obj.pk, title=obj.title, description=obj.description
            )
        else:
            created = services.task_create(owner=obj.owner, title=obj.title, description=obj.description)
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
