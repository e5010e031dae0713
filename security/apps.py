from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("Security log")

    def ready(self):
        from . import changes, signals  # noqa: F401  (connects the sign-in receivers)

        changes.connect()
