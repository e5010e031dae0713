"""The formal steps of an audit that leave a document: the 稽核通知书 before it (and the
agency's receipt), the 征求意见稿 before the report (and the agency's written reply)."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Audit


class AuditNoticeQuerySet(models.QuerySet):
    def latest_per_audit(self):
        """Each audit's newest version only."""
        newer = AuditNotice.objects.filter(
            audit_id=models.OuterRef("audit_id"), version__gt=models.OuterRef("version")
        )
        return self.exclude(models.Exists(newer))


class AuditNotice(models.Model):
    """稽核通知书 as issued: these bytes with their SHA-256, never re-rendered.

    ``sequence`` is the {n} of the number: the notice's place in the cycle, in the order
    issued; a reissue (new dates, another team) keeps it and becomes a new version. The
    agency's staff sign for the newest version (签收): who and when.
    """

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.PROTECT, related_name="notices"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    sequence = models.PositiveIntegerField(_("running number in the cycle"))
    number = models.CharField(_("notice number"), max_length=80)
    content = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed for by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AuditNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit notice")
        verbose_name_plural = _("audit notices")
        ordering = ["audit", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "version"], name="one_notice_per_audit_version"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="notice_version_from_one"
            ),
            models.CheckConstraint(
                condition=models.Q(received_at__isnull=True, received_by__isnull=True)
                | models.Q(received_at__isnull=False, received_by__isnull=False),
                name="notice_received_with_who_and_when",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_intact(self) -> bool:
        return hashlib.sha256(bytes(self.content)).hexdigest() == self.sha256
