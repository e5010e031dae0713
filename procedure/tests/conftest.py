"""The 征求意见稿's fixtures: 朝阳 (004) under review with two problems, its draft sent,
and the agency's reply objecting to both."""

import pytest

from audit_portal.testing import persona_user
from checklist.services import submit_audit
from checklist.tests.helpers import audit_of, score_everything
from procedure.models import DraftReport, Opinion
from reports import services as reports

from .helpers import PROBLEMS, reply


@pytest.fixture
def under_review(cycle, manager):
    """朝阳 (004) scored with two problems and submitted, 柏稽核 its auditor; the cycle has
    the draft step on (its default)."""
    cycle.draft_step = True
    cycle.save()
    audit = audit_of("004")
    audit.auditors.add(persona_user("assigned"))
    score_everything(audit, manager, shortfalls=PROBLEMS)
    submit_audit(audit=audit, by=manager)
    return audit_of("004")


@pytest.fixture
def sent(under_review, manager):
    return reports.send_draft(audit=under_review, by=manager)


@pytest.fixture
def objected(client_for, sent):
    reply(
        client_for("staff004"),
        sent,
        {"1-2": (Opinion.OBJECTS, "制度已于2023年6月修订"), "2-3": (Opinion.OBJECTS, "账簿齐全")},
    )
    return DraftReport.objects.get()
