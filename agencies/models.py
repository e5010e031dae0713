import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

AGENCY_CODE_PATTERN = r"^[0-9]{3,6}$"

agency_code_validator = RegexValidator(
    AGENCY_CODE_PATTERN,
    _("The agency code must be 3 to 6 digits, for example 004."),
)


def padded_code(code: str) -> str:
    """A code typed or read short (4 for 004) zero-padded to AGENCY_CODE_DIGITS; a code of
    other characters is returned as it is, for the validator to refuse."""
    if code.isdigit() and code.isascii() and len(code) < settings.AGENCY_CODE_DIGITS:
        return code.zfill(settings.AGENCY_CODE_DIGITS)
    return code


REPORT_NUMBER_PLACEHOLDERS = ("year", "code")
# 稽核通知书 are numbered in the order they are issued within the cycle ({n})
NOTICE_NUMBER_PLACEHOLDERS = ("year", "n", "code")


def _validate_number_format(value: str, placeholders) -> None:
    """Only the given placeholders may stand in a number format, each as it is: anything
    else would make every issue fail (an unknown {编码}) or print Python's insides into an
    official number ({code.__class__})."""
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError:
        parts = None
    allowed = "、".join(f"{{{name}}}" for name in placeholders)
    if parts is None or any(
        name is not None and (name not in placeholders or spec or conversion)
        for _text, name, spec, conversion in parts
    ):
        raise ValidationError(
            _(
                "The format may contain only the placeholders %(allowed)s, written exactly "
                "so; write a brace itself as {{ or }}."
            )
            % {"allowed": allowed}
        )


def validate_report_number_format(value: str) -> None:
    _validate_number_format(value, REPORT_NUMBER_PLACEHOLDERS)


def validate_notice_number_format(value: str) -> None:
    _validate_number_format(value, NOTICE_NUMBER_PLACEHOLDERS)


# 保管期限 (第10号令 and 第2308号准则: permanent, or a number of years)
RETENTION = [("永久", "永久"), ("30年", "30年"), ("10年", "10年")]


class FundingMode(models.TextChoices):
    """How an agency passes on members' fees; some standards apply to one mode only."""

    DIRECT = "direct", _("Direct (直投)")
    INDIRECT = "indirect", _("Indirect (非直投)")


class AgencyManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Agency(models.Model):
    """A local agency (代办处／经办机构). Its code is a three-character string: "004" is not 4."""

    code = models.CharField(
        _("code"), max_length=6, unique=True, validators=[agency_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)
    funding_mode = models.CharField(
        _("funding mode"),
        max_length=10,
        choices=FundingMode.choices,
        blank=True,
        help_text=_("Leave empty when unknown: every standard then applies."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = AgencyManager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=AGENCY_CODE_PATTERN), name="agency_code_is_3_to_6_digits"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def natural_key(self):
        return (self.code,)


class CycleManager(models.Manager):
    def get_by_natural_key(self, year):
        return self.get(year=year)


class Cycle(models.Model):
    """One year's audit (年度稽核): its roster, checklist, required documents and rules.

    The grade bands live here because the office may change them from one year to the
    next; the defaults are those of the audit handbook (优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60).
    """

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=100)
    document_deadline = models.DateField(_("document deadline"), null=True, blank=True)
    self_assessment_deadline = models.DateField(
        _("self-assessment deadline (自评截止日期)"),
        null=True,
        blank=True,
        help_text=_(
            "Agencies submit their self-assessment (自查自评) by the end of this day; empty: no deadline."
        ),
    )
    rectification_days = models.PositiveSmallIntegerField(
        _("rectification period (整改期限), days"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "Each problem found must be rectified within this many days after the audit is finalized."
        ),
    )
    rectification_remind_days = models.PositiveSmallIntegerField(
        _("remind agencies this many days before a rectification deadline"),
        default=7,
        validators=[MaxValueValidator(90)],
        help_text=_(
            "The daily reminder e-mails the agency's staff this many days before an item's deadline (0: not before), and once the day after it has passed."
        ),
    )
    grade_excellent_min = models.DecimalField(
        _("minimum total for 优秀"), max_digits=4, decimal_places=1, default=90
    )
    grade_good_min = models.DecimalField(
        _("minimum total for 良好"), max_digits=4, decimal_places=1, default=80
    )
    grade_pass_min = models.DecimalField(
        _("minimum total for 合格"), max_digits=4, decimal_places=1, default=60
    )
    report_number_format = models.CharField(
        _("report number format"),
        max_length=60,
        default="稽核〔{year}〕{code}号",
        help_text=_("{year} is the cycle's year and {code} the agency's code."),
        validators=[validate_report_number_format],
    )
    # The formal procedure (procedure app): 稽核通知书 before the audit, 征求意见稿 before
    # the report is issued.
    notice_number_format = models.CharField(
        _("audit notice number format"),
        max_length=60,
        default="京互稽通〔{year}〕{n}号",
        help_text=_(
            "{year} is the cycle's year, {n} the notice's running number in the cycle (in the order issued) and {code} the agency's code."
        ),
        validators=[validate_notice_number_format],
    )
    notice_basis = models.CharField(
        _("legal basis of the audit notice"),
        max_length=200,
        default="根据中国职工保险互助会内部稽核工作有关规定和本办事处年度稽核工作安排",
        help_text=_("The first words of every audit notice: on what grounds the office audits."),
    )
    notice_contact = models.CharField(
        _("contact person for audit notices"), max_length=40, blank=True
    )
    notice_phone = models.CharField(_("contact phone for audit notices"), max_length=40, blank=True)
    notice_preparation = models.TextField(
        _("what agencies must prepare (audit notice)"),
        default=(
            "请于资料报送截止日前通过稽核管理平台上传资料清单所列资料；现场稽核期间请安排熟悉业务的"
            "人员配合，备齐会计凭证、账簿、会员档案等原始资料备查。"
        ),
    )
    draft_step = models.BooleanField(
        _("send a draft for comments (征求意见稿) before issuing the report"),
        default=True,
        help_text=_(
            "On: after review, the manager sends the report as it stands to the agency for its written opinion, and finalizes after the reply or its deadline."
        ),
    )
    draft_reply_days = models.PositiveSmallIntegerField(
        _("days the agency has to reply to the draft"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    draft_number_format = models.CharField(
        _("draft for comments number format"),
        max_length=60,
        default="稽核征〔{year}〕{code}号",
        help_text=_("{year} is the cycle's year and {code} the agency's code."),
        validators=[validate_report_number_format],
    )
    # 稽核档案 (archives app): the 档号 of each agency's package and how long each class of
    # its records is kept (保管期限)
    archive_number_format = models.CharField(
        _("archive number (档号) format"),
        max_length=60,
        default="京互稽档-{year}-{code}",
        help_text=_("{year} is the cycle's year and {code} the agency's code."),
        validators=[validate_report_number_format],
    )
    retention_conclusion = models.CharField(
        _("retention of 结论类 records"), max_length=10, choices=RETENTION, default="永久"
    )
    retention_proof = models.CharField(
        _("retention of 证明类 records"), max_length=10, choices=RETENTION, default="30年"
    )
    retention_initiation = models.CharField(
        _("retention of 立项类 records"), max_length=10, choices=RETENTION, default="30年"
    )
    retention_reference = models.CharField(
        _("retention of 备查类 records"), max_length=10, choices=RETENTION, default="10年"
    )
    archive_after_rectification = models.BooleanField(
        _("archive only once every rectification item is closed"), default=True
    )
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous cycle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next",
        help_text=_("The cycle this one was started from; open findings carry over from it."),
    )

    objects = CycleManager()

    # the formal procedure's settings: set in the admin, kept by the next cycle
    PROCEDURE_SETTINGS = (
        "notice_number_format",
        "notice_basis",
        "notice_contact",
        "notice_phone",
        "notice_preparation",
        "draft_step",
        "draft_reply_days",
        "draft_number_format",
    )

    ARCHIVE_SETTINGS = (
        "archive_number_format",
        "retention_conclusion",
        "retention_proof",
        "retention_initiation",
        "retention_reference",
        "archive_after_rectification",
    )

    class Meta:
        verbose_name = _("audit cycle")
        verbose_name_plural = _("audit cycles")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_pass_min__gte=0)
                & Q(grade_pass_min__lte=models.F("grade_good_min"))
                & Q(grade_good_min__lte=models.F("grade_excellent_min"))
                & Q(grade_excellent_min__lte=100),
                name="cycle_grade_bands_ascend",
                violation_error_message=_("Grade bands must satisfy 0 ≤ 合格 ≤ 良好 ≤ 优秀 ≤ 100."),
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.year,)

    def report_number(self, agency, version: int = 1) -> str:
        number = self.report_number_format.format(year=self.year, code=agency.code)
        return number if version == 1 else f"{number}（第{version}版）"

    def notice_number(self, agency, sequence: int, version: int = 1) -> str:
        number = self.notice_number_format.format(year=self.year, n=sequence, code=agency.code)
        return number if version == 1 else f"{number}（第{version}版）"

    def archive_number(self, agency) -> str:
        return self.archive_number_format.format(year=self.year, code=agency.code)

    def draft_number(self, agency, version: int = 1) -> str:
        number = self.draft_number_format.format(year=self.year, code=agency.code)
        return number if version == 1 else f"{number}（第{version}版）"


class AuditStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    UNDER_REVIEW = "under_review", _("Under review")
    FINALIZED = "finalized", _("Finalized")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class AuditQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The audits a user may know exist: all for office staff, their own for agency staff."""
        if not user.is_authenticated:
            return self.none()
        if user.is_office_staff:
            return self
        return self.filter(agency_id=user.agency_id)

    def roster(self):
        return self.select_related("agency").order_by("serial")

    def with_previous_totals(self, cycle):
        """Annotate ``previous_total`` (the agency's finalized total of the cycle before, or
        None) and ``change`` (this total minus it): one subquery, however many cycles."""
        decimal = models.DecimalField(max_digits=5, decimal_places=1)
        if cycle.previous_id is None:
            return self.annotate(
                previous_total=models.Value(None, output_field=decimal),
                change=models.Value(None, output_field=decimal),
            )
        previous = Audit.objects.filter(
            cycle_id=cycle.previous_id,
            agency_id=models.OuterRef("agency_id"),
            status=AuditStatus.FINALIZED,
        ).values("total_score")[:1]
        return self.annotate(
            previous_total=models.Subquery(previous, output_field=decimal),
            change=models.ExpressionWrapper(
                models.F("total_score") - models.F("previous_total"), output_field=decimal
            ),
        )


class AuditManager(models.Manager.from_queryset(AuditQuerySet)):
    def get_by_natural_key(self, year, code):
        return self.get(cycle__year=year, agency__code=code)


class Audit(models.Model):
    """One agency's audit in one cycle; the cycle's roster is its audits in serial order."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="audits"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="audits"
    )
    serial = models.PositiveSmallIntegerField(
        _("serial number"), help_text=_("序号: the agency's place in the cycle's roster.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AuditStatus.choices, default=AuditStatus.NOT_STARTED
    )
    auditors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auditors"),
        blank=True,
        related_name="assigned_audits",
        limit_choices_to={"role": "auditor"},
    )

    # The scores as of the last saved assessment, kept here by checklist.services so that
    # the cycle overview reads 50 rows instead of scoring 50 × 29 assessments per request.
    # scored_count counts the applicable standards that have a result (不适用 included).
    scored_count = models.PositiveSmallIntegerField(_("standards scored"), default=0)
    total_score = models.DecimalField(
        _("total score"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True)
    category_scores = models.JSONField(_("category scores"), default=list, blank=True)
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)
    # set while the audit is archived (archives app): no reopening, no change of its
    # rectification, until a manager's recorded 撤销归档
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    # for the 稽核通知书: when the team will be at the agency, and who leads it
    onsite_start = models.DateField(_("on-site audit from"), null=True, blank=True)
    onsite_end = models.DateField(_("on-site audit until"), null=True, blank=True)
    team_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team leader (组长)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"role": "auditor"},
    )

    objects = AuditManager()

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["cycle", "serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "agency"], name="one_audit_per_agency_and_cycle"
            ),
            models.UniqueConstraint(fields=["cycle", "serial"], name="one_serial_per_cycle"),
            models.CheckConstraint(condition=Q(serial__gte=1), name="audit_serial_from_one"),
            models.CheckConstraint(
                condition=Q(onsite_start__isnull=True)
                | Q(onsite_end__isnull=True)
                | Q(onsite_end__gte=models.F("onsite_start")),
                name="audit_onsite_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(total_score__isnull=True)
                | (Q(total_score__gte=0) & Q(total_score__lte=100)),
                name="audit_total_is_a_percentage",
            ),
        ]

    def __str__(self):
        return f"{self.cycle.year} {self.agency}"

    def natural_key(self):
        return (self.cycle.year, self.agency.code)

    natural_key.dependencies = ["agencies.cycle", "agencies.agency"]

    @property
    def is_finalized(self) -> bool:
        return self.status == AuditStatus.FINALIZED

    def is_assigned_to(self, user) -> bool:
        return any(auditor.pk == user.pk for auditor in self.auditors.all())


WORKFLOW_ACTIONS = ("submitted", "returned", "finalized", "reopened")


def attach_returns(audits) -> None:
    """Set ``returned`` on each audit: the manager's return (an AuditEvent with its comment,
    who and when) while the audit is back with its auditors, else None. One query for all."""
    audits = list(audits)
    latest = {}
    events = (
        AuditEvent.objects.filter(audit__in=audits, action__in=WORKFLOW_ACTIONS)
        .select_related("actor")
        .order_by("audit_id", "-at", "-id")
    )
    for event in events:
        latest.setdefault(event.audit_id, event)
    for audit in audits:
        event = latest.get(audit.pk)
        returned = event is not None and event.action == AuditEvent.Action.RETURNED
        audit.returned = event if returned and audit.status == AuditStatus.IN_PROGRESS else None


def changes_since_return(audit: Audit) -> tuple:
    """For an audit back under review after a return: the return and, per standard changed
    since, (code, [(field, before, after)]) from the first value before to the last after.
    Read through checklist's reverse names (``assessments``, ``changes``)."""
    if audit.status != AuditStatus.UNDER_REVIEW:
        return None, []
    events = list(audit.events.filter(action__in=WORKFLOW_ACTIONS).select_related("actor")[:2])
    if [e.action for e in events] != [AuditEvent.Action.SUBMITTED, AuditEvent.Action.RETURNED]:
        return None, []
    returned = events[1]
    changed = []
    assessments = audit.assessments.select_related("standard__category").prefetch_related("changes")
    for assessment in sorted(
        assessments, key=lambda a: (a.standard.category.position, a.standard.number)
    ):
        later = sorted(
            (c for c in assessment.changes.all() if c.changed_at > returned.at),
            key=lambda c: c.version,
        )
        if not later:
            continue
        before, after = {}, {}
        for change in later:
            for name in change.new:
                before.setdefault(name, change.old.get(name))
                after[name] = change.new[name]
        summary = type(later[0])(old=before, new=after).lines()
        lines = [line for line in summary if line[1] != line[2]]
        if lines:
            changed.append((assessment.standard.code, lines))
    return returned, changed


def documents_not_received(audit: Audit) -> list:
    """The cycle's required documents the office has not accepted for this audit yet, each
    with its request (or None): what a person submitting the audit is reminded of. Read
    through the reverse names of evidence's models, which this app does not import."""
    by_document = {r.document_id: r for r in audit.document_requests.all()}
    documents = list(audit.cycle.required_documents.order_by("number"))
    for document in documents:
        document.request = by_document.get(document.pk)
    return [document for document in documents if not is_accepted(document)]


def is_accepted(document) -> bool:
    """Whether a required document (with ``request`` set) has been accepted by the office."""
    return document.request is not None and document.request.status == "accepted"


def history(audit: Audit) -> list[Audit]:
    """The agency's finalized audits up to ``audit``'s cycle, oldest first (one query): its
    totals, grades and category scores year by year."""
    return list(
        Audit.objects.filter(
            agency_id=audit.agency_id,
            status=AuditStatus.FINALIZED,
            cycle__year__lte=audit.cycle.year,
        )
        .select_related("cycle")
        .order_by("cycle__year")
    )


def load_auditors(audit: Audit) -> list:
    """The audit's auditors by user name, loaded once (one query) so that showing them and
    is_assigned_to() ask nothing more."""
    from django.contrib.auth import get_user_model

    models.prefetch_related_objects(
        [audit], models.Prefetch("auditors", queryset=get_user_model().objects.order_by("username"))
    )
    return list(audit.auditors.all())


class AuditEvent(models.Model):
    """A step in an audit's workflow (submitted, returned, finalized, reopened, assigned),
    with who took it and why: the record a manager's reopening reason is kept in."""

    class Action(models.TextChoices):
        ASSIGNED = "assigned", _("Auditors assigned")
        STARTED = "started", _("Scoring started")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned to the auditor")
        FINALIZED = "finalized", _("Finalized")
        REOPENED = "reopened", _("Reopened")
        SELF_SUBMITTED = "self_submitted", _("Self-assessment submitted")
        SELF_RETURNED = "self_returned", _("Self-assessment returned to the agency")
        NOTICE_ISSUED = "notice_issued", _("Audit notice issued")
        NOTICE_RECEIVED = "notice_received", _("Audit notice signed for")
        DRAFT_SENT = "draft_sent", _("Draft for comments sent")
        DRAFT_ANSWERED = "draft_answered", _("Written reply to the draft submitted")
        DRAFT_LAPSED = "draft_lapsed", _("No reply by the deadline: taken as no objection")
        OBJECTION_ANSWERED = "objection_answered", _("Objection answered by the auditor")
        ARCHIVED = "archived", _("Archived (归档)")
        ARCHIVE_REVOKED = "archive_revoked", _("Archiving revoked (撤销归档)")

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.audit} {self.get_action_display()}"


class Recusal(models.Model):
    """回避: an auditor who may not audit an agency (they came from it, a relative works
    there): assigning them to it is refused with the reason."""

    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auditor"),
        on_delete=models.CASCADE,
        related_name="recusals",
        limit_choices_to={"role": "auditor"},
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="recusals"
    )
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recusal (回避)")
        verbose_name_plural = _("recusals (回避)")
        ordering = ["agency", "auditor"]
        constraints = [
            models.UniqueConstraint(fields=["auditor", "agency"], name="one_recusal_per_pair"),
        ]

    def __str__(self):
        return f"{self.auditor} — {self.agency}"
