"""Shortcuts for the scoring tests: save through the real service, as the page does."""

from agencies.models import Audit
from checklist import services
from checklist.models import Assessment, Result, Standard


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
    """Score every applicable standard 符合, except `shortfalls` (codes) 不符合 with a finding."""
    for s in services.applicable_standards(audit):
        if s.code in shortfalls:
            save(
                audit,
                s.code,
                by,
                result=Result.NON_COMPLIANT,
                points="4",
                finding=f"{s.code} 的问题",
                rectification="限期整改",
            )
        else:
            save(audit, s.code, by, result=Result.COMPLIANT)
