from django.contrib import admin

from common.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import AuditNotice, DraftProblem, DraftReport


@admin.register(AuditNotice)
class AuditNoticeAdmin(ReadOnlyAdmin):
    """稽核通知书 as issued, and who signed for it: read-only, like the reports."""

    list_display = ("number", "audit", "version", "issued_at", "received_at", "received_by")
    list_filter = ("audit__cycle",)
    list_select_related = ("audit__cycle", "audit__agency", "received_by")
    exclude = ("content",)
    readonly_fields = (
        "audit",
        "version",
        "sequence",
        "number",
        "sha256",
        "size",
        "issued_at",
        "issued_by",
        "received_at",
        "received_by",
    )


class DraftProblemInline(ReadOnlyInline):
    model = DraftProblem
    fields = ("standard", "opinion", "explanation", "decision", "decision_reason", "decided_by")
    readonly_fields = fields


@admin.register(DraftReport)
class DraftReportAdmin(ReadOnlyAdmin):
    """征求意见稿 as sent, with the agency's reply and the answers: read-only."""

    list_display = ("number", "audit", "version", "sent_at", "reply_due", "status")
    list_filter = ("audit__cycle", "status")
    list_select_related = ("audit__cycle", "audit__agency")
    exclude = ("content",)
    inlines = [DraftProblemInline]
    readonly_fields = (
        "audit",
        "version",
        "number",
        "sha256",
        "size",
        "sent_at",
        "sent_by",
        "reply_due",
        "status",
        "opinion",
        "signed_reply",
        "replied_at",
        "replied_by",
    )
