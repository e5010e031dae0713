import os

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def make_private_folder(path, mode: int) -> None:
    """Create ``path`` (and its parents) with exactly ``mode``, whatever the umask; an
    existing folder is left as it is (``manage.py check --deploy`` reports a wrong mode)."""
    if os.path.isdir(path):
        return
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, mode)


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence")

    def ready(self):
        # The private store and its incoming folder (uploads stream there, then are renamed
        # into the store) must exist before the first upload and before Django's own check
        # of FILE_UPLOAD_TEMP_DIR. The store is readable by the portal's group (the front
        # server's user joins it, see docs/operations.md); uploads in progress are the portal's alone.
        make_private_folder(settings.EVIDENCE_ROOT, settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS)
        make_private_folder(settings.FILE_UPLOAD_TEMP_DIR, 0o700)
        from . import checks  # noqa: F401  (registers the deploy check)
