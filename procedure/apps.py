from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcedureConfig(AppConfig):
    name = "procedure"
    verbose_name = _("Audit procedure (稽核通知书, 征求意见稿)")
