from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Audit


class ArchivePackage(models.Model):
    """One agency's 稽核档案 of a cycle: built in the background, stored in the archive store
    (``file_name``), with the ZIP's SHA-256, the manifest's package digest and the result of
    its last 四性检测. A manager may revoke it (撤销归档, with the reason); a new one is built
    after the audit changed."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        BUILDING = "building", _("Being built")
        DONE = "done", _("Archived")
        FAILED = "failed", _("Failed")
        REVOKED = "revoked", _("Revoked (撤销归档)")

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.PROTECT, related_name="archive_packages"
    )
    number = models.CharField(_("archive number (档号)"), max_length=80)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256 of the package"), max_length=64, blank=True)
    files = models.PositiveIntegerField(_("files"), default=0)
    package_digest = models.CharField(_("package digest"), max_length=64, blank=True)
    longest_retention = models.CharField(_("retention"), max_length=10, blank=True)
    check_passed = models.BooleanField(_("四性检测 passed"), null=True)
    check_report = models.TextField(_("四性检测 report"), blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        verbose_name = _("archive package")
        verbose_name_plural = _("archive packages")
        ordering = ["audit", "-requested_at"]
        constraints = [
            # at most one package of an audit is waiting, being built or kept
            models.UniqueConstraint(
                fields=["audit"],
                condition=models.Q(status__in=["queued", "building", "done"]),
                name="one_live_archive_per_audit",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def kept_until(self):
        """The end of the longest retention of its records: a date, or "永久"."""
        if self.longest_retention in ("", "永久") or not self.finished_at:
            return self.longest_retention
        years = int(self.longest_retention.rstrip("年"))
        day = timezone.localtime(self.finished_at).date()
        try:
            return day.replace(year=day.year + years)
        except ValueError:  # archived on 29 February
            return day.replace(year=day.year + years, day=28)
