"""Shortcuts for the scoring tests: save through the real service, as the page does (but for\nscore_everything on an audit not begun, which does the same in one go)."""

from django.db import transaction

from agencies.access import can_edit_scores
from agencies.models import Audit, AuditEvent, AuditStatus
from checklist import services
from checklist.models import Assessment, AssessmentChange, Result, Standard


def audit_of(code: str, year: int = 2023) -> Audit:
    return Audit.objects.select_related("cycle", "agency").get(cycle__year=year, agency__code=code)


def standard(code: str, year: int = 2023) -> Standard:
    position, number = (int(part) for part in code.split("-"))
    return Standard.objects.select_related("category").get(
        category__cycle__year=year, category__position=position, number=number
    )


def save(audit, code, by, *, version=None, **fields):
    target = standard(code, audit.cycle.year)
    if version is None:
        current = Assessment.objects.filter(audit=audit, standard=target).first()
        version = current.version if current else 0
    return services.save_assessment(
        audit=audit,
        standard=target,
        by=by,
        expected_version=version,
        entry=services.Entry(**fields),
    )


def score_everything(audit, by, *, shortfalls=()):
    """Score every applicable standard 符合, except `shortfalls` (codes) 不符合 with a finding.

    An audit not begun is scored in one go, leaving what a save of each standard through
    the service leaves (each assessment at version 1 with its first history line, the audit
    started, its scores and 问题库 rows: test_score_everything_leaves_what_the_saves_leave
    compares the two); the tests that set up finished audits by the hundred spend a third
    of the time otherwise. An audit already begun goes through the service, standard by
    standard."""
    entries = {
        s.code: services.Entry(
            result=Result.NON_COMPLIANT,
            points="4",
            finding=f"{s.code} 的问题",
            rectification="限期整改",
        )
        if s.code in shortfalls
        else services.Entry(result=Result.COMPLIANT)
        for s in services.applicable_standards(audit)
    }
    if audit.status != AuditStatus.NOT_STARTED or Assessment.objects.filter(audit=audit).exists():
        for code, entry in entries.items():
            save(audit, code, by, **vars(entry))
        return
    _score_at_once(audit, by, entries)


@transaction.atomic
def _score_at_once(audit, by, entries):
    audit = services._lock(audit, by)
    if not can_edit_scores(by, audit, assigned=audit.by_is_assigned):
        raise services.NotAllowed("not assigned")
    blank = services.NEVER_SAVED
    assessments, changes = [], []
    for standard in services.applicable_standards(audit):
        values = services._clean_entry(entries[standard.code], standard)
        values.setdefault("problem_type_id", None)
        assessment = Assessment(
            audit=audit, standard=standard, max_points=standard.max_points, updated_by=by, **values
        )
        assessments.append(assessment)
        changed = [name for name in services.TRACKED_FIELDS if blank[name] != values[name]]
        changes.append((assessment, changed, values))
    Assessment.objects.bulk_create(assessments)
    AssessmentChange.objects.bulk_create(
        AssessmentChange(
            assessment=assessment,
            version=1,
            changed_by=by,
            old=services._recorded(blank, changed),
            new=services._recorded(values, changed),
            source=AssessmentChange.Source.PAGE,
        )
        for assessment, changed, values in changes
    )
    audit.status = AuditStatus.IN_PROGRESS
    audit.save(update_fields=["status"])
    AuditEvent.objects.create(audit=audit, action=AuditEvent.Action.STARTED, actor=by)
    services.refresh_audit_scores(audit)
    services.refresh_problems([audit.agency_id])
