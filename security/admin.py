from django.contrib import admin

from audit_portal.admin_site import ReadOnlyAdmin

from .models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "username", "address", "status", "target", "request_id")
    list_filter = ("kind",)
    search_fields = ("username", "address", "target", "path", "request_id")
    date_hierarchy = "at"
    list_select_related = ("user",)
