"""Fill in a self-assessment through the real service, as the page does."""

from checklist import services as scoring
from checklist.models import Result
from checklist.tests.helpers import standard
from selfassessment import services
from selfassessment.models import SelfAssessmentEntry


def fill(audit, code, by, **fields):
    target = standard(code, audit.cycle.year)
    current = SelfAssessmentEntry.objects.filter(audit=audit, standard=target).first()
    return services.save_entry(
        audit=audit,
        standard=target,
        by=by,
        expected_version=current.version if current else 0,
        entry=services.Entry(**fields),
    )


def fill_everything(audit, by, *, shortfalls=None):
    """Every applicable standard 符合, except ``shortfalls`` {code: points} 基本符合."""
    shortfalls = shortfalls or {}
    for s in scoring.applicable_standards(audit):
        if s.code in shortfalls:
            fill(
                audit,
                s.code,
                by,
                result=Result.LARGELY_COMPLIANT,
                points=shortfalls[s.code],
                explanation=f"{s.code} 自查发现记录不全",
            )
        else:
            fill(audit, s.code, by, result=Result.COMPLIANT)
