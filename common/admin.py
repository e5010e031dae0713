"""The admin's plain bases: read-only record pages and the guard that answers tampered
list pages with a message."""

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _


class ListParametersGuard:
    """Tampered list pages answer with a message, not a server error.

    Impossible filter values (a year of 20 digits in the date hierarchy) show the admin's
    "invalid parameters" page: Django does so for ValueError but lets OverflowError through.
    Selected rows that are not ids (an action posted with "x" or nothing ticked by a script)
    are refused with a message: Django's actions let the ValueError through.
    """

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error

    def response_action(self, request, queryset):
        try:
            return super().response_action(request, queryset)
        except (ValueError, ValidationError):
            self.message_user(
                request,
                _("The selected rows could not be read, so nothing was done. Tick them again."),
                messages.WARNING,
            )
            return HttpResponseRedirect(request.get_full_path())


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
