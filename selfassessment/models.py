"""The agency's self-assessment (自查自评): its own result, points and explanation for each
standard, with files of its uploads cited, submitted to the office before the on-site audit.

The rules for results and points are the auditors' (checklist.services), so that the two
can be set side by side; the agency never sees the auditors' scores before finalization.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Audit
from checklist.models import Result, Standard
from evidence.models import EvidenceFile


class SelfAssessment(models.Model):
    """Where one audit's self-assessment stands: being filled in, or submitted (read-only
    until an auditor returns it). Created with the first save; the totals are stored at
    submission for the overview, the report and the circular."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being filled in")
        SUBMITTED = "submitted", _("Submitted")

    audit = models.OneToOneField(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="self_assessment"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    total_score = models.DecimalField(
        _("self-assessed total"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    return_comment = models.TextField(_("why it was returned"), blank=True)

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
                name="self_assessment_submitted_has_date",
            ),
        ]

    def __str__(self):
        return str(self.audit)

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class SelfAssessmentEntry(models.Model):
    """The agency's own judgement of one standard. ``version`` works as on the scoring page:
    a save names the version it was based on and is refused if someone saved in between."""

    audit = models.ForeignKey(
        Audit,
        verbose_name=_("audit"),
        on_delete=models.CASCADE,
        related_name="self_assessment_entries",
    )
    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1, null=True, blank=True)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=1)
    explanation = models.TextField(_("self-check (自查情况)"), blank=True)
    files = models.ManyToManyField(
        EvidenceFile,
        verbose_name=_("files cited"),
        blank=True,
        related_name="self_assessment_citations",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last saved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)

    class Meta:
        verbose_name = _("self-assessed standard")
        verbose_name_plural = _("self-assessed standards")
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "standard"], name="one_self_assessment_per_standard"
            ),
            models.CheckConstraint(
                condition=Q(points__isnull=True)
                | (Q(points__gte=0) & Q(points__lte=models.F("max_points"))),
                name="self_assessment_points_within_maximum",
            ),
            models.CheckConstraint(
                condition=~Q(result__in=["not_applicable", ""]) | Q(points__isnull=True),
                name="self_assessment_unscored_has_no_points",
            ),
        ]

    def __str__(self):
        return f"{self.audit} {self.standard.code}"

    def missing(self) -> list[str]:
        """What the agency still has to fill in before submitting, in words."""
        from django.utils.translation import gettext

        if not self.result:
            return [gettext("Choose a result.")]
        problems = []
        if self.result in (Result.LARGELY_COMPLIANT, Result.NON_COMPLIANT) and self.points is None:
            problems.append(gettext("Enter the points."))
        if self.result != Result.COMPLIANT and not self.explanation.strip():
            problems.append(gettext("Explain the self-check (自查情况)."))
        return problems
