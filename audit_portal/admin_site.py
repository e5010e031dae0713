from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


class PortalAdminSite(admin.AdminSite):
    """The Django admin, open to administrators only.

    Managers and auditors work in the portal's own pages; reference data, users and cycles
    are an administrator's job, so the admin checks the role rather than ``is_staff`` alone.
    """

    site_header = _("Audit portal administration")
    site_title = _("Audit portal administration")
    index_title = settings.PORTAL_OFFICE_NAME

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_staff and user.role == Role.ADMINISTRATOR


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through the portal's own steps (where they are checked
    and recorded): the admin shows them and changes nothing."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """A record's history beside it in the admin, read-only."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
