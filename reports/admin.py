from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import IssuedReport, RectificationReport, ReportBundle


@admin.register(IssuedReport)
class IssuedReportAdmin(ReadOnlyAdmin):
    list_display = ("number", "audit", "version", "issued_at", "issued_by", "size", "sha256")
    list_filter = ("audit__cycle",)
    list_select_related = ("audit__cycle", "audit__agency", "issued_by")
    exclude = ("content",)
    readonly_fields = ("audit", "version", "number", "sha256", "size", "issued_at", "issued_by")


@admin.register(RectificationReport)
class RectificationReportAdmin(IssuedReportAdmin):
    """整改情况报告 as issued: read-only, like the audit reports."""


@admin.register(ReportBundle)
class ReportBundleAdmin(ReadOnlyAdmin):
    list_display = ("cycle", "requested_at", "requested_by", "status", "done", "total", "size")
