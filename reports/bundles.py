"""The ZIPs of all reports (and a large cycle's other exports): built in a private local
folder, then kept a while in the "bundles" storage (reports.storage), through Django's
storage API only, so that several application servers can share it.

A bundle's file is written in REPORT_BUNDLE_ROOT as ``<name>.partial`` and saved to the
storage under its name only when complete, so a half-written file is never offered.
``expire`` deletes the files past the retention period and leftovers of builds that died;
the build itself calls it, and so does the daily ``manage.py cleanup_report_bundles``.
"""

import os
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.utils import timezone

from .models import DataChange, ReportBundle
from .storage import bundle_storage

PARTIAL_SUFFIX = ".partial"
# A partial file older than this belongs to a build that died (a build takes minutes).
PARTIAL_GRACE = timedelta(hours=6)


def root() -> Path:
    folder = Path(settings.REPORT_BUNDLE_ROOT)
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
    return folder


EXTENSIONS = {
    "reports_zip": "zip",
    "scores_xlsx": "xlsx",
    "circular_xlsx": "xlsx",
    "circular_pdf": "pdf",
}


def new_file_name(kind: str = "reports_zip") -> str:
    """A random name with the extension of the export's kind (ReportBundle.Kind)."""
    return f"{uuid.uuid4().hex}.{EXTENSIONS[kind]}"


def partial_path(file_name: str) -> Path:
    return root() / (file_name + PARTIAL_SUFFIX)


def publish(file_name: str) -> None:
    """Save a finished partial file to the storage under its name, and remove it here."""
    partial = partial_path(file_name)
    with open(partial, "rb") as stream:
        os.fsync(stream.fileno())
        saved = bundle_storage().save(file_name, File(stream))
    if saved != file_name:  # a random name taken already: never, but never offer another's
        bundle_storage().delete(saved)
        raise FileExistsError(file_name)
    partial.unlink()


def copy(source: str, file_name: str) -> None:
    """Save a copy of a stored file under a new name (a circular unchanged since)."""
    with bundle_storage().open(source, "rb") as stream:
        bundle_storage().save(file_name, File(stream))


def expire(now=None) -> tuple[int, int]:
    """Delete ZIPs older than the retention period (their bundles become 已过期) and files no
    bundle refers to; returns (bundles expired, stray files removed)."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.REPORT_BUNDLE_RETENTION_HOURS)
    expired = 0
    for bundle in ReportBundle.objects.filter(
        status=ReportBundle.Status.DONE, finished_at__lt=cutoff
    ).only("pk", "file_name"):
        if bundle.file_name:
            bundle_storage().delete(bundle.file_name)
        expired += ReportBundle.objects.filter(
            pk=bundle.pk, status=ReportBundle.Status.DONE
        ).update(status=ReportBundle.Status.EXPIRED, file_name="")
    wanted = set(
        ReportBundle.objects.filter(
            status__in=[
                ReportBundle.Status.DONE,
                ReportBundle.Status.QUEUED,
                ReportBundle.Status.RUNNING,
            ]
        )
        .exclude(file_name="")
        .values_list("file_name", flat=True)
    )
    # the notes of changes need only outlive the exports that compare with them
    DataChange.objects.filter(
        at__lt=now - timedelta(hours=settings.REPORT_BUNDLE_RETENTION_HOURS + 24)
    ).delete()
    strays = 0
    try:
        stored = bundle_storage().listdir("")[1]
    except FileNotFoundError:  # a folder not made yet: nothing stored
        stored = []
    for name in stored:
        if not name.endswith(PARTIAL_SUFFIX) and name not in wanted:
            bundle_storage().delete(name)
            strays += 1
    for path in root().glob(f"*{PARTIAL_SUFFIX}"):
        # a build in progress, unless it is older than any build takes
        if now.timestamp() - path.stat().st_mtime >= PARTIAL_GRACE.total_seconds():
            path.unlink(missing_ok=True)
            strays += 1
    return expired, strays
