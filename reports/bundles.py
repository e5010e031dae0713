"""Where the ZIPs of all reports (and a large cycle's other exports) live: files in a private
folder, kept for a while.

A bundle's ZIP is written beside its final name and renamed into place when complete, so a
half-written ZIP is never offered. ``expire`` deletes the ZIPs past the retention period and
leftovers of builds that died; the build itself calls it, and so does the daily
``manage.py cleanup_report_bundles``.
"""

import os
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models import ReportBundle

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
    """Move a finished partial file to its final name (atomic on one filesystem)."""
    partial = partial_path(file_name)
    with open(partial, "rb") as stream:
        os.fsync(stream.fileno())
    os.replace(partial, root() / file_name)


def expire(now=None) -> tuple[int, int]:
    """Delete ZIPs older than the retention period (their bundles become 已过期) and files no
    bundle refers to; returns (bundles expired, stray files removed)."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.REPORT_BUNDLE_RETENTION_HOURS)
    expired = 0
    for bundle in ReportBundle.objects.filter(
        status=ReportBundle.Status.DONE, finished_at__lt=cutoff
    ).only("pk", "file_name"):
        if bundle.path is not None:
            bundle.path.unlink(missing_ok=True)
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
    strays = 0
    for path in root().iterdir():
        if path.name.endswith(PARTIAL_SUFFIX):
            # a build in progress, unless it is older than any build takes
            keep = now.timestamp() - path.stat().st_mtime < PARTIAL_GRACE.total_seconds()
        else:
            keep = path.name in wanted
        if not keep:
            path.unlink(missing_ok=True)
            strays += 1
    return expired, strays
