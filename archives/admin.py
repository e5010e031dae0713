from django.contrib import admin

from common.admin import ReadOnlyAdmin

from .models import ArchivePackage


@admin.register(ArchivePackage)
class ArchivePackageAdmin(ReadOnlyAdmin):
    """稽核档案 packages: built, checked and revoked in the portal only."""

    list_display = ("number", "audit", "status", "finished_at", "size", "check_passed")
    list_filter = ("audit__cycle", "status", "check_passed")
    list_select_related = ("audit__cycle", "audit__agency")
    readonly_fields = [field.name for field in ArchivePackage._meta.fields]
