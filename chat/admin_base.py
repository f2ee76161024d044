"""What the chat admin pages share."""

from django.http import HttpRequest


class ReadOnlyMixin:
    """Transcripts, usage and feedback are records: the admin shows them, never edits them."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
