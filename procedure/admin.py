from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import AuditNotice


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
