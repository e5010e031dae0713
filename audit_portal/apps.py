from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditPortalConfig(AppConfig):
    default = True  # this module holds a second AppConfig (below)
    name = "audit_portal"
    verbose_name = _("Audit portal")

    def ready(self):
        from common import lookups  # noqa: F401  (registers the safe `in` for integer columns)


class TasksDatabaseConfig(AppConfig):
    """django-tasks' database backend under a Chinese name in the admin (its own name is
    not translatable)."""

    default = False
    name = "django_tasks_db"
    label = "django_tasks_database"
    verbose_name = _("Background tasks")

    def ready(self):
        from django_tasks_db import signal_handlers  # noqa: F401  (as its own AppConfig does)
