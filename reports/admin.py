from django.contrib import admin

from .models import IssuedReport, ReportBundle


class ReadOnly(admin.ModelAdmin):
    """Issued reports are frozen; bundles are made by the portal."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IssuedReport)
class IssuedReportAdmin(ReadOnly):
    list_display = ("number", "audit", "version", "issued_at", "issued_by", "size", "sha256")
    list_filter = ("audit__cycle",)
    list_select_related = ("audit__cycle", "audit__agency", "issued_by")
    exclude = ("content",)
    readonly_fields = ("audit", "version", "number", "sha256", "size", "issued_at", "issued_by")


@admin.register(ReportBundle)
class ReportBundleAdmin(ReadOnly):
    list_display = ("cycle", "requested_at", "requested_by", "status", "done", "total")
    exclude = ("content",)
