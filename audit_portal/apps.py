from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig
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


class StaticFilesConfig(BaseStaticFilesConfig):
    """collectstatic leaves out what the portal never serves: Django REST framework's
    browsable-API files (the API answers JSON only) and ReDoc (the API's page is Swagger
    UI). Compressing them took two thirds of collectstatic's time (36 s of 49 MB here)."""

    ignore_patterns = [
        *BaseStaticFilesConfig.ignore_patterns,
        "rest_framework/*",
        "drf_spectacular_sidecar/redoc/*",
    ]
