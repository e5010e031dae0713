from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .models import User

# Access follows each user's role (accounts.models.Role), not Django's groups; an admin page
# for groups would suggest a second, ineffective way to grant access.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "agency", "is_active", "last_login")
    list_filter = ("role", "is_active", "agency")
    list_select_related = ("agency",)
    search_fields = ("username", "full_name", "email", "agency__name", "agency__code")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "email")}),
        (_("Role"), {"fields": ("role", "agency", "is_active")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "role", "agency", "password1", "password2"),
            },
        ),
    )
