from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from common.admin import ListParametersGuard


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

    def login(self, request, extra_context=None):
        """One sign-in for the whole portal (password, one-time code, password rules):
        the admin's own login page sends there."""
        if request.method == "POST":
            return HttpResponseNotAllowed(["GET"])
        if request.user.is_authenticated:
            if self.has_permission(request):
                return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
            raise PermissionDenied  # signed in, but the admin is not theirs
        return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"))

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model admin, ours and the packages' (django-axes, django-tasks), gets the
        list-page guard below."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, ListParametersGuard):
            admin_class = type(admin_class.__name__, (ListParametersGuard, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)
