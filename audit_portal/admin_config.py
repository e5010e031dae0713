from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """The admin site for administrators only (see ``audit_portal.admin_site``)."""

    default_site = "audit_portal.admin_site.PortalAdminSite"
