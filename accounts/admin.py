from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Role, User

# Access follows each user's role (accounts.models.Role), not Django's groups; an admin page
# for groups would suggest a second, ineffective way to grant access.
admin.site.unregister(Group)

# The roles the system administrator gives a new account. The administrator and security
# roles are granted by the security administrator only (三员分立), on the portal's 账号管理.
ROLES_ON_CREATION = [
    (role.value, role.label) for role in (Role.AUDITOR, Role.MANAGER, Role.AGENCY_STAFF)
]


class CreationForm(AdminUserCreationForm):
    """A new account: its password was chosen by the administrator, so the person changes
    it at the first sign-in."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "email", "phone", "role", "agency")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = ROLES_ON_CREATION
        # no "unusable password" accounts: each account is a person who signs in
        self.fields.pop("usable_password", None)

    def save(self, commit=True):
        user = super().save(commit=False)
        user.must_change_password = True
        if commit:
            user.save()
        return user


class ResetPasswordForm(AdminPasswordChangeForm):
    """A password set by the administrator (a forgotten one): changed at the next sign-in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("usable_password", None)

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit=commit)


class ChangeForm(UserChangeForm):
    """The role is read-only here, so the database's rule (agency staff have exactly one
    agency, others none) is checked against the account's role."""

    class Meta(UserChangeForm.Meta):
        model = User

    def clean_agency(self):
        agency = self.cleaned_data.get("agency")
        if self.instance.role == Role.AGENCY_STAFF and agency is None:
            raise ValidationError(_("An agency staff account belongs to an agency: choose it."))
        if self.instance.role != Role.AGENCY_STAFF and agency is not None:
            raise ValidationError(_("Only agency staff belong to an agency: leave it empty."))
        return agency


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = ChangeForm
    add_form = CreationForm
    change_password_form = ResetPasswordForm
    list_display = ("username", "full_name", "role", "agency", "is_active", "last_login")
    list_filter = ("role", "is_active", "agency")
    list_select_related = ("agency",)
    search_fields = ("username", "full_name", "email", "agency__name", "agency__code")
    # the role, the account's state and the password's dates are the security
    # administrator's (账号管理) or the sign-in's own
    readonly_fields = (
        "role",
        "is_active",
        "must_change_password",
        "password_changed_at",
        "last_login",
        "date_joined",
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "email", "phone")}),
        (_("Role"), {"fields": ("role", "agency", "is_active")}),
        (
            _("Important dates"),
            {
                "fields": (
                    "last_login",
                    "date_joined",
                    "password_changed_at",
                    "must_change_password",
                )
            },
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "email",
                    "phone",
                    "role",
                    "agency",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def has_change_permission(self, request, obj=None):
        # the security roles' accounts are out of the system administrator's reach: no new
        # password for the security administrator, no name changed under the auditor
        if obj is not None and obj.role in (Role.SECURITY_ADMIN, Role.SECURITY_AUDITOR):
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        # an account with a history is disabled, never deleted (the security log keeps
        # naming it); disabling is the security administrator's
        return False
