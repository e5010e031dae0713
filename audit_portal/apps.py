from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditPortalConfig(AppConfig):
    name = "audit_portal"
    verbose_name = _("Audit portal")

    def ready(self):
        from . import lookups  # noqa: F401  (registers the safe `in` for integer columns)
