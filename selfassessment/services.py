"""Every write to a self-assessment: one step a person takes, one transaction, the audit row
locked first (as in checklist.services), so that a save and a submission never interleave."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role
from agencies.access import EDITABLE_STATUSES
from agencies.models import Audit, AuditEvent
from checklist import services as scoring
from checklist.models import Standard
from evidence.models import EvidenceFile

from .models import SelfAssessment, SelfAssessmentEntry

MAX_EXPLANATION = 5000


class SelfAssessmentError(Exception):
    """A step the rules refuse; the message is for the user, ``field`` names the field."""

    def __init__(self, message, *, field: str = ""):
        super().__init__(message)
        self.field = field


class NotAllowed(SelfAssessmentError):
    """The person may not take this step at all."""


class StaleVersion(Exception):
    """Someone saved this standard since the page was loaded; ``current`` is their entry."""

    def __init__(self, current: SelfAssessmentEntry):
        super().__init__("stale version")
        self.current = current


def can_fill(user, audit: Audit) -> bool:
    """Only the agency's own staff fill in its self-assessment."""
    return user.is_agency_staff and user.agency_id == audit.agency_id


def can_return(user, audit: Audit) -> bool:
    """Managers and the agency's assigned auditors send a submitted self-assessment back."""
    if audit.status not in EDITABLE_STATUSES:
        return False
    return user.is_manager or (user.role == Role.AUDITOR and audit.is_assigned_to(user))


def state_of(audit: Audit) -> SelfAssessment | None:
    return SelfAssessment.objects.filter(audit=audit).first()


def deadline_passed(audit: Audit, today=None) -> bool:
    deadline = audit.cycle.self_assessment_deadline
    return bool(deadline) and (today or timezone.localdate()) > deadline


def closed_because(audit: Audit, state: SelfAssessment | None) -> str:
    """Why the agency cannot change its self-assessment now, in words; "" when it can."""
    if audit.status not in EDITABLE_STATUSES:
        return _(
            "The on-site audit is %(status)s: the self-assessment can no longer be changed."
        ) % {"status": audit.get_status_display()}
    if state is not None and state.is_submitted:
        return _(
            "The self-assessment was submitted on %(when)s and is read-only. If something must be corrected, ask your auditor to return it."
        ) % {"when": date_format(timezone.localtime(state.submitted_at), "SHORT_DATETIME_FORMAT")}
    returned = state is not None and bool(state.return_comment)
    if deadline_passed(audit) and not returned:
        return _(
            "The deadline for the self-assessment (%(date)s) has passed. If you still need to submit it, ask your auditor."
        ) % {"date": date_format(audit.cycle.self_assessment_deadline, "DATE_FORMAT")}
    return ""


def _lock(audit: Audit) -> Audit:
    return (
        Audit.objects.select_for_update(of=("self",))
        .select_related("cycle", "agency")
        .get(pk=audit.pk)
    )


def _require_open(audit: Audit, by) -> SelfAssessment | None:
    if not can_fill(by, audit):
        raise NotAllowed(_("Only the agency's own staff fill in its self-assessment."))
    state = state_of(audit)
    reason = closed_because(audit, state)
    if reason:
        raise SelfAssessmentError(reason)
    return state


@dataclass
class Entry:
    """What the agency entered for one standard, as typed."""

    result: str = ""
    points: str | Decimal | None = None
    explanation: str = ""
    file_ids: list[int] = field(default_factory=list)


@transaction.atomic
def save_entry(
    *, audit: Audit, standard: Standard, by, expected_version: int, entry: Entry
) -> SelfAssessmentEntry:
    """Save one standard of the self-assessment if nobody saved it in between."""
    audit = _lock(audit)
    _require_open(audit, by)
    if standard.category.cycle_id != audit.cycle_id or not standard.applies_to_agency(audit.agency):
        raise SelfAssessmentError(_("This standard does not apply to this agency."))
    try:
        result, points = scoring.clean_result_and_points(entry.result, entry.points, standard)
    except scoring.ScoringError as error:
        raise SelfAssessmentError(str(error), field=error.field) from None
    explanation = entry.explanation.strip()
    if len(explanation) > MAX_EXPLANATION:
        raise SelfAssessmentError(
            _("The self-check takes at most %(n)s characters.") % {"n": MAX_EXPLANATION},
            field="explanation",
        )
    files = list(EvidenceFile.objects.filter(audit=audit, pk__in=entry.file_ids))
    if len(files) != len(set(entry.file_ids)):
        raise SelfAssessmentError(
            _("A file cited is no longer among the agency's uploads; reload the page."),
            field="files",
        )
    values = {"result": result, "points": points, "explanation": explanation}

    current = SelfAssessmentEntry.objects.filter(audit=audit, standard=standard).first()
    if (current.version if current else 0) != expected_version:
        raise StaleVersion(current)
    if current is None:
        saved = SelfAssessmentEntry(
            audit=audit, standard=standard, max_points=standard.max_points, updated_by=by, **values
        )
        try:
            with transaction.atomic():
                saved.save()
        except IntegrityError:  # another first save of this standard won the race
            raise StaleVersion(
                SelfAssessmentEntry.objects.get(audit=audit, standard=standard)
            ) from None
    else:
        same_files = {f.pk for f in current.files.all()} == {f.pk for f in files}
        if same_files and all(getattr(current, k) == v for k, v in values.items()):
            return current
        updated = SelfAssessmentEntry.objects.filter(
            pk=current.pk, version=expected_version
        ).update(
            **values,
            max_points=standard.max_points,
            version=F("version") + 1,
            updated_by=by,
            updated_at=timezone.now(),
        )
        if not updated:
            raise StaleVersion(SelfAssessmentEntry.objects.get(pk=current.pk))
        saved = SelfAssessmentEntry.objects.get(pk=current.pk)
    saved.files.set(files)
    SelfAssessment.objects.get_or_create(audit=audit)
    return saved


def incomplete(audit: Audit) -> list[tuple[Standard, list[str]]]:
    entries = {e.standard_id: e for e in SelfAssessmentEntry.objects.filter(audit=audit)}
    missing = []
    for standard in scoring.applicable_standards(audit):
        entry = entries.get(standard.pk)
        problems = entry.missing() if entry else [_("Choose a result.")]
        if problems:
            missing.append((standard, problems))
    return missing


@transaction.atomic
def submit(*, audit: Audit, by) -> SelfAssessment:
    """提交自评: every applicable standard filled in; read-only from now on."""
    audit = _lock(audit)
    _require_open(audit, by)
    missing = incomplete(audit)
    if missing:
        listed = "；".join(f"{s.code}：{''.join(problems)}" for s, problems in missing[:10])
        more = _("(and %(n)s more)") % {"n": len(missing) - 10} if len(missing) > 10 else ""
        raise SelfAssessmentError(
            _("Not every standard is filled in yet: %(list)s%(more)s")
            % {"list": listed, "more": more}
        )
    standards = scoring.applicable_standards(audit)
    entries = SelfAssessmentEntry.objects.filter(audit=audit)
    scores = scoring.audit_scores(audit, standards, entries)
    state, _created = SelfAssessment.objects.get_or_create(audit=audit)
    state.status = SelfAssessment.Status.SUBMITTED
    state.submitted_at = timezone.now()
    state.submitted_by = by
    state.total_score = scores.total
    state.save()
    AuditEvent.objects.create(audit=audit, action=AuditEvent.Action.SELF_SUBMITTED, actor=by)
    return state


@transaction.atomic
def send_back(*, audit: Audit, by, comment: str) -> SelfAssessment:
    """An auditor returns a submitted self-assessment to the agency, saying why; the agency
    may then change and submit it again, also after the deadline."""
    audit = _lock(audit)
    if not can_return(by, audit):
        raise NotAllowed(
            _("Only the agency's auditors and managers can return its self-assessment.")
        )
    state = state_of(audit)
    if state is None or not state.is_submitted:
        raise SelfAssessmentError(
            _("The self-assessment has not been submitted; there is nothing to return.")
        )
    if not comment.strip():
        raise SelfAssessmentError(_("Say what the agency should correct."), field="comment")
    state.status = SelfAssessment.Status.DRAFT
    state.return_comment = comment.strip()
    state.save(update_fields=["status", "return_comment"])
    AuditEvent.objects.create(
        audit=audit, action=AuditEvent.Action.SELF_RETURNED, actor=by, comment=comment.strip()
    )
    return state
