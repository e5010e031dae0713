"""Scoring and the audit workflow: every write to assessments and audit status is here.

Each function is one step a person takes; each runs in one transaction and locks the audit
row first, so that two saves of one audit, or a save and a finalization, never interleave.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from agencies.access import can_edit_scores
from agencies.models import Audit, AuditEvent, AuditStatus

from .models import Assessment, AssessmentChange, ProblemType, Result, Standard
from .problems import PROBLEM_RESULTS
from .problems import refresh as refresh_problems
from .scoring import Bands, Item, Scores, compute_scores

TRACKED_FIELDS = (
    "result",
    "points",
    "finding",
    "rectification",
    "not_applicable_reason",
    "problem_type_id",
)
# what a standard never saved holds, as its first history line's "before"
NEVER_SAVED = {
    "result": "",
    "points": None,
    "finding": "",
    "rectification": "",
    "not_applicable_reason": "",
    "problem_type_id": None,
}
# An Entry's problem type when the caller does not set it (the work paper, an adopted
# objection): the assessment keeps the type it has.
KEEP = object()


class ScoringError(Exception):
    """A save or a step that the rules refuse; the message is for the user, ``field`` names
    the field at fault (the page marks it)."""

    def __init__(self, message, *, field: str = ""):
        super().__init__(message)
        self.field = field


class NotAllowed(ScoringError):
    """The person may not make this change at all (as opposed to: not now)."""


class StaleVersion(Exception):
    """Someone saved this assessment since the user loaded it; ``current`` is their version."""

    def __init__(self, current: Assessment):
        super().__init__("stale version")
        self.current = current


@dataclass
class Entry:
    """What an auditor entered for one standard (strings as typed, points parsed here)."""

    result: str = ""
    points: str | Decimal | None = None
    finding: str = ""
    rectification: str = ""
    not_applicable_reason: str = ""
    problem_type: object = KEEP  # a ProblemType's id (as typed), "" or None for none


def applicable_standards(audit: Audit) -> list[Standard]:
    """The cycle's standards that apply to this agency (by its 直投／非直投 mode), in order."""
    standards = Standard.objects.for_cycle(audit.cycle_id)
    return [s for s in standards if s.applies_to_agency(audit.agency)]


def audit_scores(audit: Audit, standards, assessments=None) -> Scores:
    """Scores of one audit over ``standards`` (its applicable ones) from its assessments
    (one query unless they are given)."""
    if assessments is None:
        assessments = Assessment.objects.filter(audit=audit)
    by_standard = {a.standard_id: a for a in assessments}
    items = []
    for standard in standards:
        assessment = by_standard.get(standard.pk)
        items.append(
            Item(
                category=standard.category.position,
                max_points=standard.max_points,
                result=assessment.result if assessment else "",
                points=assessment.points if assessment else None,
                is_veto=standard.is_veto,
            )
        )
    return compute_scores(items, Bands.of(audit.cycle))


def summary(scores: Scores, standards) -> dict:
    """Scores as the pages show them (and as the audit row stores its categories)."""
    names = {s.category.position: s.category.name for s in standards}
    return {
        "total": scores.total,
        "grade": scores.grade,
        "scored": scores.scored,
        "applicable": scores.applicable,
        "complete": scores.complete,
        "categories": [
            {
                "position": c.category,
                "name": names[c.category],
                "score": None if c.score is None else str(c.score),
                "scored": c.scored,
                "applicable": c.applicable,
            }
            for c in scores.categories.values()
        ],
    }


def stored_summary(audit: Audit) -> dict:
    """The summary as last stored on the audit row; no query."""
    applicable = sum(c.get("applicable", 0) for c in audit.category_scores)
    return {
        "total": audit.total_score,
        "grade": audit.grade,
        "scored": audit.scored_count,
        "applicable": applicable,
        "complete": audit.scored_count == applicable,
        "categories": audit.category_scores,
    }


def refresh_audit_scores(audit: Audit) -> Scores:
    """Store the audit's current scores on the audit row, for the overview and exports."""
    standards = applicable_standards(audit)
    scores = audit_scores(audit, standards)
    audit.scored_count = scores.scored
    audit.total_score = scores.total
    audit.grade = scores.grade
    audit.category_scores = summary(scores, standards)["categories"]
    audit.save(update_fields=["scored_count", "total_score", "grade", "category_scores"])
    return scores


def refresh_cycle_scores(cycle) -> None:
    """Recompute the stored scores of a cycle's open audits after its rules changed
    (grade bands, maximum points, veto items). Finalized audits keep the scores they were
    finalized with: those are the ones on the issued report."""
    audits = Audit.objects.filter(cycle=cycle).exclude(status=AuditStatus.FINALIZED)
    for audit in audits.select_related("cycle", "agency"):
        with transaction.atomic():
            refresh_audit_scores(_lock(audit))


def _lock(audit: Audit, by=None) -> Audit:
    """The audit row, locked until the transaction ends; with ``by``, also whether that
    person is one of its auditors (``by_is_assigned``), read in the same query."""
    audits = Audit.objects.select_for_update(of=("self",)).select_related("cycle", "agency")
    if by is not None:
        assignment = Audit.auditors.through.objects.filter(audit_id=OuterRef("pk"), user_id=by.pk)
        audits = audits.annotate(by_is_assigned=Exists(assignment))
    return audits.get(pk=audit.pk)


def _clean_entry(entry: Entry, standard: Standard) -> dict:
    """Apply the rules that make a value impossible to store; return the fields to save.

    Incomplete work (基本符合 without a finding yet) is stored: an auditor types step by step
    and must not lose what was entered. Completeness is checked when the audit is submitted.
    """
    result = entry.result or ""
    if result not in Result.values and result != "":
        raise ScoringError(_("Choose one of the results."))
    maximum = standard.max_points
    points = entry.points
    if isinstance(points, str):
        points = points.strip().replace("，", ".").replace(",", ".")
        if points == "":
            points = None
        else:
            try:
                points = Decimal(points)
            except InvalidOperation:
                raise ScoringError(
                    _("Points must be a number, such as 7 or 7.5."), field="points"
                ) from None
    if points is not None and not points.is_finite():
        raise ScoringError(_("Points must be a number, such as 7 or 7.5."), field="points")
    if points is not None and points.adjusted() >= 4:  # 10,000 or more: beyond any maximum
        raise _out_of_range(maximum)
    if points is not None and points != points.quantize(Decimal("0.1")):
        raise ScoringError(_("Points take at most one decimal, such as 7.5."), field="points")
    if result == Result.COMPLIANT:
        points = maximum
    elif result in (Result.NOT_APPLICABLE, ""):
        points = None
    elif points is not None:
        if points < 0 or points > maximum:
            raise _out_of_range(maximum)
        if points == maximum:
            raise ScoringError(
                _(
                    "%(result)s awards less than the maximum of %(max)s points; choose 符合 to award it all."
                )
                % {"result": Result(result).label, "max": _points_text(maximum)},
                field="points",
            )
    values = {
        "result": result,
        "points": points,
        "finding": entry.finding.strip(),
        "rectification": entry.rectification.strip(),
        "not_applicable_reason": entry.not_applicable_reason.strip(),
    }
    if entry.problem_type is not KEEP:
        values["problem_type_id"] = _problem_type(entry.problem_type)
    return values


def _problem_type(value) -> int | None:
    """A problem type's id as typed: one without subtypes (the tree's leaves name problems;
    their parents only group them), or none."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise ScoringError(_("Choose a problem type from the list."), field="problem_type")
    leaf = ProblemType.objects.filter(pk=int(text), children__isnull=True).values_list(
        "pk", flat=True
    )
    if not leaf:
        raise ScoringError(_("Choose a problem type from the list."), field="problem_type")
    return leaf[0]


def clean_result_and_points(result: str, points, standard: Standard) -> tuple[str, Decimal | None]:
    """The scoring rules for a result and its points, for others who score by them (the
    agency's self-assessment): 符合 awards the maximum, 不适用 none, the others less."""
    values = _clean_entry(Entry(result=result, points=points), standard)
    return values["result"], values["points"]


def _out_of_range(maximum: Decimal) -> ScoringError:
    """Also the answer to numbers like 1e30, checked before they are rounded (rounding them
    would exceed the precision of Python's decimals)."""
    return ScoringError(
        _("Points must be between 0 and the maximum of %(max)s.") % {"max": _points_text(maximum)},
        field="points",
    )


def _points_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _jsonable(value):
    return str(value) if isinstance(value, Decimal) else value


def _recorded(values: dict, names: list[str]) -> dict:
    """The changed fields as the history keeps them: a problem type by its name (the tree
    may change later; the record says what was chosen then)."""
    out = {}
    for name in names:
        if name == "problem_type_id":
            type_id = values[name]
            out["problem_type"] = (
                str(ProblemType.objects.select_related("parent").get(pk=type_id)) if type_id else ""
            )
        else:
            out[name] = _jsonable(values[name])
    return out


@transaction.atomic
def save_assessment(
    *,
    audit: Audit,
    standard: Standard,
    by,
    expected_version: int,
    entry: Entry,
    source: str = AssessmentChange.Source.PAGE,
) -> Assessment:
    """Save one standard's assessment, as typed, if nobody saved it in between.

    ``expected_version`` is the version the user's page showed (0 for a standard never
    saved). A different current version raises StaleVersion with the newer assessment; the
    page shows it and nothing is overwritten.
    """
    audit = _lock(audit, by)
    if source == AssessmentChange.Source.CONSULTATION:
        # an adopted objection to the 征求意见稿 (procedure.drafts, which checks that one was
        # adopted for this standard): the audit stays under review, the change is recorded
        if audit.status != AuditStatus.UNDER_REVIEW:
            raise ScoringError(
                _("Only an audit under review changes for an objection to its draft report.")
            )
        if not (by.is_manager or (by.role == Role.AUDITOR and audit.by_is_assigned)):
            raise NotAllowed(_("Only the assigned auditors and managers can change these scores."))
    elif audit.status not in (AuditStatus.NOT_STARTED, AuditStatus.IN_PROGRESS):
        raise ScoringError(
            _("This audit is %(status)s and can no longer be changed.")
            % {"status": audit.get_status_display()}
        )
    elif not can_edit_scores(by, audit, assigned=audit.by_is_assigned):
        raise NotAllowed(_("Only the assigned auditors and managers can change these scores."))
    if standard.category.cycle_id != audit.cycle_id or not standard.applies_to_agency(audit.agency):
        raise ScoringError(_("This standard does not apply to this agency."))

    values = _clean_entry(entry, standard)
    current = Assessment.objects.filter(audit=audit, standard=standard).first()
    if (current.version if current else 0) != expected_version:
        raise StaleVersion(current)
    values.setdefault("problem_type_id", current.problem_type_id if current else None)

    if current is None:
        assessment = Assessment(
            audit=audit, standard=standard, max_points=standard.max_points, updated_by=by, **values
        )
        old = dict(NEVER_SAVED)
        try:
            with transaction.atomic():
                assessment.save()
        except IntegrityError:
            # Another auditor's first save of this standard won the race.
            raise StaleVersion(Assessment.objects.get(audit=audit, standard=standard)) from None
    else:
        old = {name: getattr(current, name) for name in TRACKED_FIELDS}
        if all(old[name] == values[name] for name in TRACKED_FIELDS):
            return current
        updated = Assessment.objects.filter(pk=current.pk, version=expected_version).update(
            **values,
            max_points=standard.max_points,
            version=F("version") + 1,
            updated_by=by,
            updated_at=timezone.now(),
        )
        if not updated:
            raise StaleVersion(Assessment.objects.get(pk=current.pk))
        assessment = current
        for name, value in values.items():
            setattr(assessment, name, value)
        assessment.max_points = standard.max_points
        assessment.version = expected_version + 1
        assessment.updated_by = by
        assessment.updated_at = timezone.now()
    assessment.audit = audit  # the locked row, whose scores are refreshed below

    changed = [name for name in TRACKED_FIELDS if old[name] != values[name]]
    AssessmentChange.objects.create(
        assessment=assessment,
        version=assessment.version,
        changed_by=by,
        old=_recorded(old, changed),
        new=_recorded(values, changed),
        source=source,
    )
    if audit.status == AuditStatus.NOT_STARTED:
        audit.status = AuditStatus.IN_PROGRESS
        audit.save(update_fields=["status"])
        AuditEvent.objects.create(audit=audit, action=AuditEvent.Action.STARTED, actor=by)
    refresh_audit_scores(audit)
    was_problem, is_problem = (v["result"] in PROBLEM_RESULTS for v in (old, values))
    if (was_problem or is_problem) and (
        was_problem != is_problem or old["problem_type_id"] != values["problem_type_id"]
    ):
        refresh_problems([audit.agency_id])  # the 问题库's rows and their 屡查屡犯
    return assessment


def incomplete_standards(audit: Audit) -> list[tuple[Standard, list[str]]]:
    """The applicable standards that still lack something, with what they lack."""
    assessments = {a.standard_id: a for a in Assessment.objects.filter(audit=audit)}
    missing = []
    for standard in applicable_standards(audit):
        assessment = assessments.get(standard.pk)
        problems = assessment.missing() if assessment else [_("Choose a result.")]
        if problems:
            missing.append((standard, problems))
    return missing


def _require(audit: Audit, *statuses: str) -> None:
    if audit.status not in statuses:
        raise ScoringError(
            _("This step is not possible while the audit is %(status)s.")
            % {"status": audit.get_status_display()}
        )


@transaction.atomic
def submit_audit(*, audit: Audit, by) -> Audit:
    """The auditor hands the audit to a manager: every applicable standard must be complete."""
    audit = _lock(audit, by)
    _require(audit, AuditStatus.IN_PROGRESS)
    if not can_edit_scores(by, audit, assigned=audit.by_is_assigned):
        raise ScoringError(_("Only the assigned auditors and managers can submit this audit."))
    missing = incomplete_standards(audit)
    if missing:
        listed = "；".join(f"{s.code}：{''.join(problems)}" for s, problems in missing[:10])
        more = _("(and %(n)s more)") % {"n": len(missing) - 10} if len(missing) > 10 else ""
        raise ScoringError(
            _("Not every standard is complete yet: %(list)s%(more)s")
            % {"list": listed, "more": more}
        )
    audit.status = AuditStatus.UNDER_REVIEW
    audit.save(update_fields=["status"])
    AuditEvent.objects.create(audit=audit, action=AuditEvent.Action.SUBMITTED, actor=by)
    return audit


@transaction.atomic
def return_audit(*, audit: Audit, by, comment: str) -> Audit:
    """A manager sends an audit under review back to the auditors, saying why."""
    audit = _lock(audit)
    _require_manager(by)
    _require(audit, AuditStatus.UNDER_REVIEW)
    if not comment.strip():
        raise ScoringError(_("Say what the auditors should look at again."))
    audit.status = AuditStatus.IN_PROGRESS
    audit.save(update_fields=["status"])
    AuditEvent.objects.create(
        audit=audit, action=AuditEvent.Action.RETURNED, actor=by, comment=comment.strip()
    )
    return audit


@transaction.atomic
def finalize_audit(*, audit: Audit, by) -> Audit:
    """A manager finalizes an audit under review; from now on it is read-only for everyone."""
    audit = _lock(audit)
    _require_manager(by)
    _require(audit, AuditStatus.UNDER_REVIEW)
    refresh_audit_scores(audit)
    audit.status = AuditStatus.FINALIZED
    audit.finalized_at = timezone.now()
    audit.save(update_fields=["status", "finalized_at"])
    AuditEvent.objects.create(audit=audit, action=AuditEvent.Action.FINALIZED, actor=by)
    return audit


@transaction.atomic
def reopen_audit(*, audit: Audit, by, reason: str) -> Audit:
    """A manager reopens a finalized audit; the reason is required and recorded."""
    audit = _lock(audit)
    _require_manager(by)
    _require(audit, AuditStatus.FINALIZED)
    if audit.archived_at is not None:
        raise ScoringError(
            _(
                "This audit is archived (稽核档案): revoke the archiving (撤销归档) on the "
                "archive page first, giving the reason."
            )
        )
    if not reason.strip():
        raise ScoringError(_("Give the reason for reopening; it is kept in the audit's record."))
    audit.status = AuditStatus.IN_PROGRESS
    audit.finalized_at = None
    audit.save(update_fields=["status", "finalized_at"])
    AuditEvent.objects.create(
        audit=audit, action=AuditEvent.Action.REOPENED, actor=by, comment=reason.strip()
    )
    return audit


def _require_manager(user) -> None:
    if not user.is_manager:
        raise ScoringError(_("Only a manager can take this step."))
