"""A finalized audit with findings, through the real steps (score, submit, finalize)."""

from agencies.models import Audit
from checklist.services import submit_audit
from checklist.tests.helpers import audit_of, score_everything
from reports.services import finalize_and_issue

from ..models import RectificationItem

FINDINGS = ("1-2", "2-3", "3-5")


def finalized(code: str, by, *, shortfalls=FINDINGS) -> Audit:
    """Score every standard of ``code`` 符合 but ``shortfalls`` 不符合, submit and finalize."""
    audit = audit_of(code)
    score_everything(audit, by, shortfalls=shortfalls)
    submit_audit(audit=audit, by=by)
    finalize_and_issue(audit=audit, by=by)
    return audit_of(code)


def item_of(audit, code: str) -> RectificationItem:
    position, number = (int(part) for part in code.split("-"))
    return RectificationItem.objects.get(
        audit=audit, standard__category__position=position, standard__number=number, withdrawn=False
    )
