import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Audit, Cycle, FundingMode


class CategoryManager(models.Manager):
    def get_by_natural_key(self, year, position):
        return self.get(cycle__year=year, position=position)


class Category(models.Model):
    """A group of standards within a cycle's checklist, such as 组织机构管理."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="categories"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=50)

    objects = CategoryManager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["cycle", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "position"], name="one_category_per_position"),
            models.UniqueConstraint(
                fields=["cycle", "name"], name="category_names_unique_in_cycle"
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.cycle.year, self.position)

    natural_key.dependencies = ["agencies.cycle"]


class Applicability(models.TextChoices):
    ALL = "all", _("All agencies")
    DIRECT = FundingMode.DIRECT.value, _("Direct (直投) agencies only")
    INDIRECT = FundingMode.INDIRECT.value, _("Indirect (非直投) agencies only")


class StandardQuerySet(models.QuerySet):
    def for_cycle(self, cycle):
        return (
            self.filter(category__cycle=cycle)
            .select_related("category")
            .order_by("category__position", "number")
        )


class StandardManager(models.Manager.from_queryset(StandardQuerySet)):
    def get_by_natural_key(self, year, category_position, number):
        return self.get(
            category__cycle__year=year, category__position=category_position, number=number
        )


class Standard(models.Model):
    """One audit standard (稽核标准) of a cycle, with its full text as the office wrote it.

    The seed gives no points, so every standard starts at the same maximum and the office
    sets its own values per cycle.
    """

    DEFAULT_MAX_POINTS = Decimal("10")

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="standards"
    )
    number = models.PositiveSmallIntegerField(_("number within category"))
    text = models.TextField(_("text"))
    max_points = models.DecimalField(
        _("maximum points"),
        max_digits=5,
        decimal_places=1,
        default=DEFAULT_MAX_POINTS,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    is_veto = models.BooleanField(
        _("veto item (一票否决)"),
        default=False,
        help_text=_("不符合 on a veto item makes the grade 不合格 whatever the total."),
    )
    applies_to = models.CharField(
        _("applies to"), max_length=10, choices=Applicability.choices, default=Applicability.ALL
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("same standard last cycle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = StandardManager()

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["category", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "number"], name="one_standard_number_per_category"
            ),
            models.CheckConstraint(
                condition=Q(max_points__gt=0), name="standard_max_points_positive"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="standard_number_from_one"),
        ]

    def __str__(self):
        return f"{self.code} {self.text[:30]}"

    def natural_key(self):
        return (*self.category.natural_key(), self.number)

    natural_key.dependencies = ["checklist.category"]

    @property
    def code(self) -> str:
        """Short reference such as "2-3": category position, then number within it."""
        return f"{self.category.position}-{self.number}"

    def applies_to_agency(self, agency: Agency) -> bool:
        """Whether the standard applies to an agency; one of unknown funding mode gets all."""
        if self.applies_to == Applicability.ALL or not agency.funding_mode:
            return True
        return self.applies_to == agency.funding_mode


class ProblemType(models.Model):
    """A kind of problem in the office's 问题库 (e.g. 财务管理 › 审批手续不全): a tree kept by an
    administrator, the same for every cycle. A finding is tagged with one type that has no
    subtypes, so that the same problem is named the same way across agencies and years."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=50)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    keywords = models.CharField(
        _("keywords"),
        max_length=500,
        blank=True,
        help_text=_(
            "Words that suggest this type when a finding contains them, separated by 、 or "
            "commas (e.g. 审批、签字、授权)."
        ),
    )

    class Meta:
        verbose_name = _("problem type")
        verbose_name_plural = _("problem types")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="problem_type_name_unique_under_parent"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="problem_type_top_name_unique",
            ),
        ]

    def __str__(self):
        return self.path

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent_id is None:
            return
        if self.parent.parent_id is not None or (self.pk and self.children.exists()):
            raise ValidationError(
                {"parent": _("Problem types have two levels: a type and its subtypes.")}
            )
        if Assessment.objects.filter(problem_type_id=self.parent_id).exists():
            raise ValidationError(
                {
                    "parent": _(
                        "Findings are tagged with this parent type; it cannot have subtypes. "
                        "Add a new top-level type instead."
                    )
                }
            )

    @property
    def path(self) -> str:
        """The name with its parent's, as shown to users: 财务管理 › 审批手续不全."""
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    def keyword_list(self) -> list[str]:
        return [word for word in re.split(r"[、,，;；\s]+", self.keywords) if word]


class Wording(models.Model):
    """常用表述: a typical wording of a problem type's finding or rectification requirement,
    picked and then edited when an auditor writes them."""

    class Kind(models.TextChoices):
        FINDING = "finding", _("finding (问题描述)")
        RECTIFICATION = "rectification", _("rectification requirement (整改要求)")

    problem_type = models.ForeignKey(
        ProblemType,
        verbose_name=_("problem type"),
        on_delete=models.CASCADE,
        related_name="wordings",
    )
    kind = models.CharField(_("used for"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("typical wording")
        verbose_name_plural = _("typical wordings")
        ordering = ["problem_type", "kind", "position", "id"]

    def __str__(self):
        return self.text[:40]


class Result(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    LARGELY_COMPLIANT = "largely", _("Largely compliant")
    NON_COMPLIANT = "non_compliant", _("Non-compliant")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Assessment(models.Model):
    """An auditor's judgement of one standard for one agency's audit.

    ``version`` grows by one with every save; a save names the version it was based on and
    is refused when someone else saved in between, so that nobody overwrites another
    auditor's work without seeing it (checklist.services.save_assessment).

    ``max_points`` copies the standard's maximum at the time of scoring, so that the
    database itself can refuse points above the maximum.
    """

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="assessments"
    )
    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1, null=True, blank=True)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=1)
    finding = models.TextField(_("finding (问题描述)"), blank=True)
    rectification = models.TextField(_("rectification requirement (整改要求)"), blank=True)
    not_applicable_reason = models.TextField(_("reason for 不适用"), blank=True)
    problem_type = models.ForeignKey(
        ProblemType,
        verbose_name=_("problem type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
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
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        # No default ordering: ordering by the standard joins two tables on every autosave
        # query; the pages order explicitly where they list assessments.
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "standard"], name="one_assessment_per_standard_and_audit"
            ),
            models.CheckConstraint(
                condition=Q(points__isnull=True)
                | (Q(points__gte=0) & Q(points__lte=models.F("max_points"))),
                name="assessment_points_within_maximum",
            ),
            models.CheckConstraint(
                condition=~Q(result=Result.COMPLIANT) | Q(points=models.F("max_points")),
                name="assessment_compliant_awards_maximum",
            ),
            models.CheckConstraint(
                condition=~Q(result__in=[Result.LARGELY_COMPLIANT, Result.NON_COMPLIANT])
                | Q(points__isnull=True)
                | Q(points__lt=models.F("max_points")),
                name="assessment_shortfall_awards_less",
            ),
            models.CheckConstraint(
                condition=~Q(result__in=[Result.NOT_APPLICABLE, ""]) | Q(points__isnull=True),
                name="assessment_unscored_has_no_points",
            ),
        ]

    def __str__(self):
        return f"{self.audit} {self.standard.code}"

    @property
    def is_scored(self) -> bool:
        """Counts towards the scores: a result, and points unless 不适用."""
        if self.result == Result.NOT_APPLICABLE:
            return True
        return bool(self.result) and self.points is not None

    def missing(self) -> list[str]:
        """What this assessment still lacks before the audit can be submitted, in words."""
        from django.utils.translation import gettext

        if not self.result:
            return [gettext("Choose a result.")]
        problems = []
        if self.result == Result.NOT_APPLICABLE:
            if not self.not_applicable_reason.strip():
                problems.append(gettext("Give the reason why the standard does not apply."))
        elif self.result != Result.COMPLIANT:
            if self.points is None:
                problems.append(gettext("Enter the points awarded."))
            if not self.finding.strip():
                problems.append(gettext("Describe the finding (问题描述)."))
        return problems

    @property
    def is_complete(self) -> bool:
        return not self.missing()


class Problem(models.Model):
    """A problem as the 问题库 counts it: an assessment judged 基本符合 or 不符合, with where
    and when it was found, its standard's line (the id of the line's first version, so
    that the same standard is one line across cycles) and whether the same agency had a
    problem on that line or of that type in an earlier cycle (屡查屡犯).

    Derived, never typed: ``checklist.problems.refresh`` keeps an agency's rows in step
    whenever one of its assessments becomes or stops being a problem or changes type
    (``save_assessment``) and when an audit is deleted; ``manage.py refresh_problems``
    rebuilds them all. The analysis across cycles (/problems/) counts this narrow table
    alone, so that ten cycles of 5,000 agencies are counted without joining the audits.
    """

    assessment = models.OneToOneField(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="+"
    )
    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="+"
    )
    line = models.PositiveIntegerField(_("standard line"))
    problem_type = models.ForeignKey(
        ProblemType,
        verbose_name=_("problem type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recurring = models.BooleanField(_("recurring (屡查屡犯)"), default=False)

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [
            models.Index(fields=["year", "agency"], name="problem_year_agency"),
            models.Index(fields=["problem_type", "agency"], name="problem_type_agency"),
            models.Index(fields=["agency", "year"], name="problem_agency_year"),
            models.Index(fields=["recurring", "year"], name="problem_recurring_year"),
        ]

    def __str__(self):
        return f"{self.year} {self.agency_id} {self.standard_id}"


class AssessmentChange(models.Model):
    """One saved change of an assessment: who, when, and each changed field's old and new
    value. Append-only; the scoring page and the admin show it."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="changes"
    )
    version = models.PositiveIntegerField(_("version"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    old = models.JSONField(_("old values"), default=dict)
    new = models.JSONField(_("new values"), default=dict)

    class Source(models.TextChoices):
        PAGE = "page", _("the scoring page")
        WORKPAPER = "workpaper", _("the work paper (Excel)")
        # an objection to the 征求意见稿 adopted: the one change allowed under review
        CONSULTATION = "consultation", _("the agency's objection to the draft (征求意见)")

    source = models.CharField(
        _("entered on"), max_length=20, choices=Source.choices, default=Source.PAGE
    )

    class Meta:
        verbose_name = _("assessment change")
        verbose_name_plural = _("assessment changes")
        ordering = ["-changed_at", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "version"], name="one_change_per_assessment_version"
            ),
        ]

    def __str__(self):
        return f"{self.assessment} v{self.version}"

    FIELD_LABELS = {
        "result": _("result"),
        "points": _("points"),
        "finding": _("finding"),
        "rectification": _("rectification requirement"),
        "not_applicable_reason": _("reason for 不适用"),
        "problem_type": _("problem type"),
    }

    def lines(self) -> list[tuple[str, str, str]]:
        """(field, old, new) in words, for the history shown beside each standard."""

        def shown(name, value):
            if value in (None, ""):
                return "—"
            if name == "result":
                return str(Result(value).label)
            if name == "points":  # as the scoring page shows them: 8, 7.5 (kept as "8.0")
                return floatformat(value, -1)
            return str(value)

        # In the form's order: PostgreSQL's jsonb does not keep the keys' order.
        return [
            (str(label), shown(name, self.old.get(name)), shown(name, self.new[name]))
            for name, label in self.FIELD_LABELS.items()
            if name in self.new
        ]
