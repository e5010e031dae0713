"""征求意见稿: sending the report as it stands to the agency (the rendering is the reports
app's), the agency's written reply, the auditor's answer to each objection, and whether the
audit may be finalized."""

from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from agencies.models import Audit, AuditEvent, AuditStatus
from checklist import services as checklist
from checklist.models import Assessment, AssessmentChange, Result
from common.documents import FrozenDocument
from evidence import services as evidence
from notifications.models import Kind
from notifications.services import agency_staff, audit_team, notify

from .models import Decision, DraftProblem, DraftReport, ObjectionProof, Opinion, ReplyStatus

TEXT_MAX = 2000
PROBLEMS = (Result.LARGELY_COMPLIANT, Result.NON_COMPLIANT)


class DraftRefused(checklist.ScoringError):
    """A step of the draft procedure is not possible now; the message says why."""


def latest_draft(audit: Audit) -> DraftReport | None:
    return DraftReport.objects.filter(audit=audit).defer("content").order_by("-version").first()


def problems_now(audit: Audit):
    """The audit's problems as they stand: standards 基本符合 or 不符合, in checklist order."""
    return (
        Assessment.objects.filter(audit=audit, result__in=PROBLEMS)
        .select_related("standard__category")
        .order_by("standard__category__position", "standard__number")
    )


def is_assigned(user, audit: Audit) -> bool:
    return user.role == Role.AUDITOR and audit.is_assigned_to(user)


def require_can_send(audit: Audit, by) -> int:
    """The next version's number, if a manager may send the draft now; else DraftRefused."""
    if not by.is_manager:
        raise DraftRefused(_("Only a manager sends the draft for comments."))
    if not audit.cycle.draft_step:
        raise DraftRefused(
            _("This cycle has no draft for comments step (a cycle setting): finalize directly.")
        )
    if audit.status != AuditStatus.UNDER_REVIEW:
        raise DraftRefused(
            _("The draft for comments is sent once the audit is under review; it is %(status)s.")
            % {"status": audit.get_status_display()}
        )
    latest = latest_draft(audit)
    if latest is not None and latest.status == ReplyStatus.WAITING:
        if not latest.is_past_due(timezone.localdate()):
            raise DraftRefused(
                _("Draft %(number)s is waiting for the agency's reply until %(due)s.")
                % {"number": latest.number, "due": latest.reply_due.isoformat()}
            )
    return (latest.version if latest else 0) + 1


@transaction.atomic
def record_draft(
    *, audit: Audit, by, version: int, number: str, content: bytes, reply_due
) -> DraftReport:
    """Keep the rendered draft with its problems as sent, and the reply deadline it states."""
    audit = Audit.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=audit.pk)
    previous = latest_draft(audit)
    if previous is not None and previous.status == ReplyStatus.WAITING:
        lapse(previous, by=by)
    draft = DraftReport.objects.create(
        audit=audit,
        version=version,
        number=number,
        **FrozenDocument.frozen(content),
        sent_by=by,
        reply_due=reply_due,
    )
    DraftProblem.objects.bulk_create(
        DraftProblem(draft=draft, standard=a.standard, finding=a.finding)
        for a in problems_now(audit)
    )
    AuditEvent.objects.create(
        audit=audit,
        action=AuditEvent.Action.DRAFT_SENT,
        actor=by,
        comment=_("%(number)s, reply by %(due)s")
        % {"number": number, "due": draft.reply_due.isoformat()},
    )
    notify(
        kind=Kind.DRAFT_SENT,
        key=f"draft_sent:{draft.pk}",
        text=_(
            "%(year)s: draft report %(number)s (征求意见稿) awaits your written reply by %(due)s."
        )
        % {"year": audit.cycle.year, "number": number, "due": draft.reply_due.isoformat()},
        link=reverse("draft_report", args=[audit.cycle.year, audit.agency.code]),
        recipients=agency_staff(audit),
        audit=audit,
    )
    return draft


def lapse(draft: DraftReport, *, by) -> None:
    """No reply by the deadline: recorded as 逾期未反馈，视为无异议 by the manager who acts on
    it next (finalizing, or sending a new draft); the pages say so from the day after the
    deadline already."""
    updated = DraftReport.objects.filter(pk=draft.pk, status=ReplyStatus.WAITING).update(
        status=ReplyStatus.LAPSED
    )
    if updated:
        draft.status = ReplyStatus.LAPSED
        AuditEvent.objects.create(
            audit_id=draft.audit_id,
            action=AuditEvent.Action.DRAFT_LAPSED,
            actor=by,
            comment=draft.number,
        )


def require_ready_to_finalize(audit: Audit, *, by) -> None:
    """With the draft step on, an audit is finalized once the agency replied (or its time
    ran out) and every objection is answered; a lapsed reply is recorded here."""
    if not audit.cycle.draft_step or audit.status != AuditStatus.UNDER_REVIEW:
        return  # finalize_audit refuses what is not under review
    if not by.is_manager:
        return  # and whoever is not a manager
    draft = latest_draft(audit)
    if draft is None:
        raise DraftRefused(
            _(
                "Send the draft for comments (征求意见稿) to the agency first; its written reply comes before the report."
            )
        )
    returned = AuditEvent.objects.filter(
        audit=audit, action=AuditEvent.Action.RETURNED, at__gt=draft.sent_at
    ).exists()
    if returned:
        raise DraftRefused(
            _(
                "The audit went back to the auditors after draft %(number)s was sent, so its "
                "problems may have changed: send a new draft for comments."
            )
            % {"number": draft.number}
        )
    if draft.status == ReplyStatus.WAITING:
        if not draft.is_past_due(timezone.localdate()):
            raise DraftRefused(
                _("The agency has until %(due)s to reply to draft %(number)s.")
                % {"due": draft.reply_due.isoformat(), "number": draft.number}
            )
        lapse(draft, by=by)
    open_objections = [
        p.standard.code
        for p in draft.problems.select_related("standard__category")
        if p.opinion == Opinion.OBJECTS and not p.decision
    ]
    if open_objections:
        raise DraftRefused(
            _("Answer the agency's objections first: %(codes)s.")
            % {"codes": "、".join(open_objections)}
        )


@dataclass(frozen=True)
class ProblemReply:
    problem_id: int
    opinion: str  # Opinion or ""
    explanation: str


def _require_replying(draft: DraftReport, by) -> DraftReport:
    draft = DraftReport.objects.select_for_update().defer("content").get(pk=draft.pk)
    audit = draft.audit
    if not (by.is_agency_staff and by.agency_id == audit.agency_id):
        raise DraftRefused(_("Only the agency's own staff reply to its draft report."))
    if draft.status != ReplyStatus.WAITING:
        raise DraftRefused(
            _("The reply to draft %(number)s is closed: %(status)s.")
            % {"number": draft.number, "status": draft.get_status_display()}
        )
    if draft.is_past_due(timezone.localdate()):
        raise DraftRefused(
            _(
                "The reply was due by %(due)s: it is taken as no objection. Call the office if you still wish to object."
            )
            % {"due": draft.reply_due.isoformat()}
        )
    newest = latest_draft(audit)
    if newest.pk != draft.pk:
        raise DraftRefused(_("A newer draft was sent; reply to that one."))
    return draft


@transaction.atomic
def save_reply(
    *, draft: DraftReport, by, opinion: str, lines: list[ProblemReply], submit: bool
) -> DraftReport:
    """The agency's reply as typed (kept, changeable until submitted); submitting needs an
    opinion on every problem and an explanation for every objection."""
    draft = _require_replying(draft, by)
    problems = {p.pk: p for p in draft.problems.select_related("standard__category")}
    for line in lines:
        problem = problems.get(line.problem_id)
        if problem is None:
            continue
        problem.opinion = line.opinion if line.opinion in Opinion.values else ""
        problem.explanation = line.explanation.strip()[:TEXT_MAX]
    missing = [p.standard.code for p in problems.values() if not p.opinion]
    unexplained = [
        p.standard.code
        for p in problems.values()
        if p.opinion == Opinion.OBJECTS and not p.explanation
    ]
    if submit and (missing or unexplained):
        parts = []
        if missing:
            parts.append(_("say 无异议 or 有异议 for %(codes)s") % {"codes": "、".join(missing)})
        if unexplained:
            parts.append(
                _("explain the objection to %(codes)s") % {"codes": "、".join(unexplained)}
            )
        raise DraftRefused(
            _("Before submitting: %(what)s. Your answers are kept.") % {"what": "；".join(parts)}
        )
    DraftProblem.objects.bulk_update(problems.values(), ["opinion", "explanation"])
    draft.opinion = opinion.strip()[:TEXT_MAX]
    fields = ["opinion"]
    if submit:
        draft.status, draft.replied_at, draft.replied_by = ReplyStatus.ANSWERED, timezone.now(), by
        fields += ["status", "replied_at", "replied_by"]
        objections = sum(p.opinion == Opinion.OBJECTS for p in problems.values())
        AuditEvent.objects.create(
            audit_id=draft.audit_id,
            action=AuditEvent.Action.DRAFT_ANSWERED,
            actor=by,
            comment=_("%(number)s: %(n)s objections") % {"number": draft.number, "n": objections},
        )
        audit = draft.audit
        notify(
            kind=Kind.DRAFT_ANSWERED,
            key=f"draft_answered:{draft.pk}",
            text=_("%(year)s: %(agency)s replied to %(number)s with %(n)s objections.")
            % {
                "year": audit.cycle.year,
                "agency": audit.agency.name,
                "number": draft.number,
                "n": objections,
            },
            link=reverse("draft_report", args=[audit.cycle.year, audit.agency.code]),
            recipients=audit_team(audit),
            audit=audit,
        )
    draft.save(update_fields=fields)
    return draft


def add_proof(*, draft: DraftReport, problem_id: int, upload, by):
    """A file for an objection, through the one upload pipeline."""

    def place(audit):
        locked = _require_replying(draft, by)
        problem = DraftProblem.objects.get(draft=locked, pk=problem_id)

        def then(stored):
            ObjectionProof.objects.create(problem=problem, file=stored)

        return {}, then

    return evidence.keep_upload(audit=draft.audit, upload=upload, by=by, place=place)


def add_signed_reply(*, draft: DraftReport, upload, by):
    """The signed and stamped reply, scanned (one; a new scan replaces the link)."""

    def place(audit):
        locked = _require_replying(draft, by)

        def then(stored):
            DraftReport.objects.filter(pk=locked.pk).update(signed_reply=stored)

        return {}, then

    return evidence.keep_upload(audit=draft.audit, upload=upload, by=by, place=place)


@transaction.atomic
def answer_objection(
    *,
    problem: DraftProblem,
    by,
    decision: str,
    reason: str,
    entry=None,
    expected_version: int | None = None,
) -> DraftProblem:
    """The auditor's answer to one objection: 采纳 / 部分采纳 / 不采纳 with the reason. Adopting
    (wholly or partly) may change the standard's result, points and finding, recorded in its
    history as 征求意见 (``entry``, on the version the auditor saw)."""
    problem = (
        DraftProblem.objects.select_for_update()
        .select_related("draft__audit__cycle", "standard__category")
        .get(pk=problem.pk)
    )
    draft, audit = problem.draft, problem.draft.audit
    if not (by.is_manager or is_assigned(by, audit)):
        raise DraftRefused(_("Only the assigned auditors and managers answer objections."))
    if audit.status != AuditStatus.UNDER_REVIEW:
        raise DraftRefused(
            _("Objections are answered while the audit is under review; it is %(status)s.")
            % {"status": audit.get_status_display()}
        )
    if draft.status != ReplyStatus.ANSWERED or problem.opinion != Opinion.OBJECTS:
        raise DraftRefused(_("There is no objection to answer here."))
    if decision not in Decision.values:
        raise DraftRefused(_("Choose 采纳, 部分采纳 or 不采纳."))
    reason = reason.strip()
    if not reason:
        raise DraftRefused(_("Give the reason for the answer; the issued report states it."))
    if entry is not None:
        if decision == Decision.REJECTED:
            raise DraftRefused(
                _("A score is changed only for an objection adopted, wholly or partly.")
            )
        checklist.save_assessment(
            audit=audit,
            standard=problem.standard,
            by=by,
            expected_version=expected_version,
            entry=entry,
            source=AssessmentChange.Source.CONSULTATION,
        )
    problem.decision, problem.decision_reason = decision, reason[:TEXT_MAX]
    problem.decided_at, problem.decided_by = timezone.now(), by
    problem.save(update_fields=["decision", "decision_reason", "decided_at", "decided_by"])
    AuditEvent.objects.create(
        audit=audit,
        action=AuditEvent.Action.OBJECTION_ANSWERED,
        actor=by,
        comment=f"{problem.standard.code} {problem.get_decision_display()}：{reason[:200]}",
    )
    return problem


def report_section(audit: Audit) -> dict | None:
    """被稽核单位反馈意见及采纳情况, for the issued report: the latest draft's reply and the
    answers to its objections (None when no draft was sent)."""
    draft = latest_draft(audit)
    if draft is None:
        return None
    problems = list(draft.problems.select_related("standard__category"))
    return {
        "draft": draft,
        "lapsed": draft.status == ReplyStatus.LAPSED,
        "objections": [p for p in problems if p.opinion == Opinion.OBJECTS],
        "agreed": [p for p in problems if p.opinion == Opinion.AGREES],
    }
