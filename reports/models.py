from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Audit, Cycle
from common.documents import FrozenDocument


class IssuedReport(FrozenDocument):
    """An audit report as issued when the audit was finalized: these bytes, never re-rendered.

    The PDF lives in the database with its SHA-256, so the issued document is backed up with
    the data it reports and every later download returns exactly what was issued. Reopening
    and finalizing again issues a new version; earlier versions stay.
    """

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.PROTECT, related_name="issued_reports"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    number = models.CharField(_("report number"), max_length=80)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("issued report")
        verbose_name_plural = _("issued reports")
        ordering = ["audit", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "version"], name="one_report_per_audit_version"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="report_version_from_one"
            ),
        ]

    def __str__(self):
        return self.number


class RectificationReport(FrozenDocument):
    """整改情况报告 as issued once every rectification item of the audit was closed: these
    bytes, with their SHA-256, never re-rendered. Closing items again after a reopening
    issues a new version; earlier versions stay."""

    audit = models.ForeignKey(
        Audit,
        verbose_name=_("audit"),
        on_delete=models.PROTECT,
        related_name="rectification_reports",
    )
    version = models.PositiveSmallIntegerField(_("version"))
    number = models.CharField(_("report number"), max_length=80)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("rectification report")
        verbose_name_plural = _("rectification reports")
        ordering = ["audit", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "version"], name="one_rectification_report_per_version"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="rectification_report_version_from_one"
            ),
        ]

    def __str__(self):
        return self.number


class PreviousReport(models.Model):
    """前次稽核报告 attached by the portal: the agency's report of the previous cycle satisfies
    the required document, so nobody uploads a copy. The document request it belongs to is
    accepted when it is attached; a reissued report replaces the link with its latest version."""

    request = models.OneToOneField(
        "evidence.DocumentRequest",
        verbose_name=_("document request"),
        on_delete=models.CASCADE,
        related_name="previous_report",
    )
    report = models.ForeignKey(
        IssuedReport, verbose_name=_("issued report"), on_delete=models.PROTECT, related_name="+"
    )
    attached_at = models.DateTimeField(_("attached at"), auto_now=True)

    class Meta:
        verbose_name = _("previous report attached")
        verbose_name_plural = _("previous reports attached")

    def __str__(self):
        return f"{self.request} ← {self.report}"


class ReportBundle(models.Model):
    """A cycle-wide export built in the background: the ZIP of every agency report, or, for
    a cycle larger than EXPORT_INLINE_MAX_AGENCIES, the score matrix, the circular as Excel
    or as PDF (``kind``).

    The file itself is in REPORT_BUNDLE_ROOT (``file_name``), never in the database, so it
    neither bloats the tables nor the backups; it is deleted, and the bundle marked expired,
    REPORT_BUNDLE_RETENTION_HOURS after it was built (``reports.bundles``). ``fingerprint``
    is, for the circular PDF, the SHA-256 of the HTML it was rendered from: a build that
    finds the same as the last one's links that file instead of rendering it again.
    """

    class Kind(models.TextChoices):
        REPORTS_ZIP = "reports_zip", _("All reports as one ZIP")
        SCORES_XLSX = "scores_xlsx", _("Score matrix (Excel)")
        CIRCULAR_XLSX = "circular_xlsx", _("Circular (Excel)")
        CIRCULAR_PDF = "circular_pdf", _("Circular (PDF)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Deleted after the retention period")

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.REPORTS_ZIP
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64, blank=True)
    # reports.exports.data_version() before the build read the data (DataChange)
    data_version = models.CharField(_("data version"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveSmallIntegerField(_("reports"), default=0)
    done = models.PositiveSmallIntegerField(_("reports ready"), default=0)
    file_name = models.CharField(_("file"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report bundle")
        verbose_name_plural = _("report bundles")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.cycle} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def path(self) -> Path | None:
        """The file's path where the storage is a folder (the default; for tests and the
        administrator), else None: the portal itself reads it through the storage API."""
        from .storage import bundle_storage

        if not self.file_name:
            return None
        try:
            return Path(bundle_storage().path(self.file_name))
        except NotImplementedError:
            return None

    @property
    def kept_until(self):
        if self.status != self.Status.DONE or self.finished_at is None:
            return None
        return self.finished_at + timedelta(hours=settings.REPORT_BUNDLE_RETENTION_HOURS)


class DataChange(models.Model):
    """One statement (PostgreSQL) or row (SQLite) that changed the data a cycle's exports are
    made from, written by database triggers (migration 0006), not by the portal: an update
    in the admin, an import or a raw UPDATE count as well as the portal's own saves.

    A built export records ``reports.exports.data_version()`` (how many rows, the last id)
    from before it read anything; while the version is the same, nothing it shows can have
    changed and the file is served again at once.
    """

    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("data change")
        verbose_name_plural = _("data changes")

    def __str__(self):
        return f"{self.pk} {self.at:%Y-%m-%d %H:%M:%S}"
