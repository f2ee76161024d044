"""Feedback on replies in the admin: the list (filterable, exportable as JSON or CSV) and counts per day."""

from __future__ import annotations

import csv
import io
import json

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from chat.models import FeedbackPerDay, MessageFeedback

EXPORT_FIELDS = [
    "id",
    "rating",
    "comment",
    "created_at",
    "updated_at",
    "message_id",
    "conversation_id",
    "user",
    "reply",
]


def _rows(queryset: QuerySet[MessageFeedback]) -> list[dict]:
    return [
        {
            "id": f.pk,
            "rating": f.rating,
            "comment": f.comment,
            "created_at": f.created_at.isoformat(),
            "updated_at": f.updated_at.isoformat(),
            "message_id": f.message_id,
            "conversation_id": f.message.conversation_id,
            "user": f.message.conversation.owner.get_username(),
            "reply": f.message.content,
        }
        for f in queryset.select_related("message__conversation__owner").order_by("created_at", "id")
    ]


def _download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(MessageFeedback)
class MessageFeedbackAdmin(admin.ModelAdmin):
    list_display = ["id", "rating", "comment_excerpt", "user", "conversation_link", "created_at"]
    list_filter = ["rating", "created_at"]
    search_fields = ["comment", "message__content", "message__conversation__owner__username"]
    date_hierarchy = "created_at"
    actions = ["export_json", "export_csv"]
    readonly_fields = ["message", "rating", "comment", "created_at", "updated_at"]
    raw_id_fields = ["message"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[MessageFeedback]:
        return super().get_queryset(request).select_related("message__conversation__owner")

    @admin.display(description="comment")
    def comment_excerpt(self, feedback: MessageFeedback) -> str:
        return feedback.comment[:80]

    @admin.display(description="user", ordering="message__conversation__owner__username")
    def user(self, feedback: MessageFeedback) -> str:
        return feedback.message.conversation.owner.get_username()

    @admin.display(description="conversation")
    def conversation_link(self, feedback: MessageFeedback) -> str:
        return str(feedback.message.conversation)

    @admin.action(description="Export the selected feedback as JSON")
    def export_json(self, request: HttpRequest, queryset: QuerySet[MessageFeedback]) -> HttpResponse:
        body = json.dumps(_rows(queryset), ensure_ascii=False, indent=2)
        return _download(body, "application/json", "feedback.json")

    @admin.action(description="Export the selected feedback as CSV")
    def export_csv(self, request: HttpRequest, queryset: QuerySet[MessageFeedback]) -> HttpResponse:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        writer.writerows(_rows(queryset))
        return _download(out.getvalue(), "text/csv; charset=utf-8", "feedback.csv")


@admin.register(FeedbackPerDay)
class FeedbackPerDayAdmin(admin.ModelAdmin):
    """Thumbs up and down per day (newest first): one table, no rows to open."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        days = (
            MessageFeedback.objects.annotate(day=TruncDate("created_at"))
            .values("day")
            .annotate(
                good=Count("id", filter=Q(rating=MessageFeedback.Rating.GOOD)),
                bad=Count("id", filter=Q(rating=MessageFeedback.Rating.BAD)),
                total=Count("id"),
            )
            .order_by("-day")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Feedback per day",
            "days": days,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/chat/feedback_per_day.html", context)
