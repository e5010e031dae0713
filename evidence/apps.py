import os

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence")

    def ready(self):
        # The private store and its incoming folder (uploads stream there, then are renamed
        # into the store) must exist before the first upload and before Django's own check
        # of FILE_UPLOAD_TEMP_DIR.
        for directory in (settings.EVIDENCE_ROOT, settings.FILE_UPLOAD_TEMP_DIR):
            os.makedirs(directory, mode=0o700, exist_ok=True)
