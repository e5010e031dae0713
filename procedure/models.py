"""The formal steps of an audit that leave a document: the 稽核通知书 before it (and the
agency's receipt), the 征求意见稿 before the report (and the agency's written reply)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.models import Audit
from common.documents import FrozenDocument


class AuditNoticeQuerySet(models.QuerySet):
    def latest_per_audit(self):
        """Each audit's newest version only."""
        newer = AuditNotice.objects.filter(
            audit_id=models.OuterRef("audit_id"), version__gt=models.OuterRef("version")
        )
        return self.exclude(models.Exists(newer))


class AuditNotice(FrozenDocument):
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


class ReplyStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for the agency's reply")
    ANSWERED = "answered", _("Replied")
    LAPSED = "lapsed", _("No reply by the deadline: taken as no objection")


class DraftReport(FrozenDocument):
    """征求意见稿: the report as it stood when sent to the agency for its written opinion,
    marked so, numbered and kept as sent (these bytes, with their SHA-256), with the reply
    deadline and the agency's overall reply. Sending again after a change of scores makes a
    new version, to be answered again."""

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.PROTECT, related_name="draft_reports"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    number = models.CharField(_("draft number"), max_length=80)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply_due = models.DateField(_("reply due by"))
    status = models.CharField(
        _("reply"), max_length=10, choices=ReplyStatus.choices, default=ReplyStatus.WAITING
    )
    opinion = models.TextField(_("overall opinion"), blank=True)
    signed_reply = models.OneToOneField(
        "evidence.EvidenceFile",
        verbose_name=_("signed reply (scan)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("draft for comments")
        verbose_name_plural = _("drafts for comments")
        ordering = ["audit", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "version"], name="one_draft_per_audit_version"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="draft_version_from_one"
            ),
        ]

    def __str__(self):
        return self.number

    def is_past_due(self, today) -> bool:
        """No reply and the deadline's day is over: taken as no objection."""
        return self.status == ReplyStatus.WAITING and today > self.reply_due


class Opinion(models.TextChoices):
    AGREES = "agrees", _("No objection (无异议)")
    OBJECTS = "objects", _("Objection (有异议)")


class Decision(models.TextChoices):
    ADOPTED = "adopted", _("Adopted (采纳)")
    PARTLY = "partly", _("Partly adopted (部分采纳)")
    REJECTED = "rejected", _("Not adopted (不采纳)")


class DraftProblem(models.Model):
    """One problem of the draft (a standard 基本符合 or 不符合 when it was sent), the agency's
    opinion on it and, for an objection, the auditor's answer."""

    draft = models.ForeignKey(
        DraftReport,
        verbose_name=_("draft for comments"),
        on_delete=models.CASCADE,
        related_name="problems",
    )
    standard = models.ForeignKey(
        "checklist.Standard", verbose_name=_("standard"), on_delete=models.PROTECT, related_name="+"
    )
    finding = models.TextField(_("problem as sent"), blank=True)
    opinion = models.CharField(_("opinion"), max_length=10, choices=Opinion.choices, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    decision = models.CharField(_("answer"), max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reason for the answer"), blank=True)
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("problem in a draft")
        verbose_name_plural = _("problems in a draft")
        ordering = ["draft", "standard__category__position", "standard__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["draft", "standard"], name="one_line_per_standard_and_draft"
            ),
        ]

    def __str__(self):
        return f"{self.draft} {self.standard.code}"


class ObjectionProof(models.Model):
    """A file the agency attached to an objection: stored, checked and downloaded like every
    evidence file (the one upload pipeline)."""

    problem = models.ForeignKey(
        DraftProblem, verbose_name=_("problem"), on_delete=models.PROTECT, related_name="proofs"
    )
    file = models.OneToOneField(
        "evidence.EvidenceFile", verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("proof of an objection")
        verbose_name_plural = _("proofs of objections")
        ordering = ["problem", "file_id"]

    def __str__(self):
        return str(self.file)
