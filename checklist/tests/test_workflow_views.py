import pytest

from agencies.models import AuditStatus
from checklist import services
from checklist.tests.helpers import audit_of, score_everything

BASE = "/cycles/2023/agencies/004/"


@pytest.fixture
def scored(db, auditor):
    audit = audit_of("004")
    audit.auditors.add(auditor)
    score_everything(audit, auditor, shortfalls={"1-2"})
    return audit


def test_the_auditor_submits_and_sees_a_chinese_confirmation(client_for, scored):
    response = client_for("auditor").post(BASE + "submit/", follow=True)
    assert response.redirect_chain[0][0] == BASE
    assert "操作成功，稽核当前状态为“待复核”。" in response.content.decode()


def test_an_incomplete_audit_is_not_submitted_and_says_why(client_for, db, auditor):
    audit = audit_of("004")
    audit.auditors.add(auditor)
    from checklist.tests.helpers import save

    save(audit, "1-1", auditor, result="compliant")
    response = client_for("auditor").post(BASE + "submit/", follow=True)
    assert "还有标准尚未完成" in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS


def test_only_managers_return_finalize_and_reopen(client_for, scored, auditor):
    services.submit_audit(audit=scored, by=auditor)
    for step in ("return/", "finalize/", "reopen/"):
        assert (
            client_for("auditor").post(BASE + step, {"comment": "x", "reason": "x"}).status_code
            == 403
        )
    assert client_for("staff004").post(BASE + "finalize/").status_code == 403
    assert client_for("staff007").post(BASE + "finalize/").status_code == 404


def test_the_manager_returns_then_finalizes(client_for, scored, auditor):
    services.submit_audit(audit=scored, by=auditor)
    manager = client_for("manager")
    manager.post(BASE + "return/", {"comment": "请补充 1-2 的依据"})
    scored.refresh_from_db()
    assert scored.status == AuditStatus.IN_PROGRESS
    client_for("auditor").post(BASE + "submit/")
    manager.post(BASE + "finalize/")
    scored.refresh_from_db()
    assert scored.status == AuditStatus.FINALIZED
    page = manager.get(BASE).content.decode()
    assert "请补充 1-2 的依据" in page and "重新打开" in page


def test_reopen_without_a_reason_is_refused(client_for, scored, auditor, manager):
    services.submit_audit(audit=scored, by=auditor)
    services.finalize_audit(audit=scored, by=manager)
    response = client_for("manager").post(BASE + "reopen/", {"reason": ""}, follow=True)
    assert "请填写重新打开的理由" in response.content.decode()
    scored.refresh_from_db()
    assert scored.status == AuditStatus.FINALIZED
