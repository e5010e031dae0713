"""未开始 → 稽核中 → 待复核 → 已定稿, with 退回 and 重新打开; one service function per step."""

from decimal import Decimal

import pytest

from agencies.models import AuditEvent, AuditStatus
from checklist import services
from checklist.models import Result
from checklist.tests.helpers import audit_of, save, score_everything


@pytest.fixture
def chaoyang(db, auditor):
    audit = audit_of("004")
    audit.auditors.add(auditor)
    return audit


@pytest.fixture
def scored(chaoyang, auditor):
    score_everything(chaoyang, auditor, shortfalls={"1-2", "2-5"})
    chaoyang.refresh_from_db()
    return chaoyang


@pytest.fixture
def under_review(scored, auditor):
    return services.submit_audit(audit=scored, by=auditor)


def test_submit_needs_every_applicable_standard_complete(chaoyang, auditor):
    save(chaoyang, "1-1", auditor, result=Result.COMPLIANT)
    save(chaoyang, "1-2", auditor, result=Result.LARGELY_COMPLIANT, points="8")
    with pytest.raises(services.ScoringError) as refused:
        services.submit_audit(audit=chaoyang, by=auditor)
    message = str(refused.value)
    assert message.startswith("还有标准尚未完成：1-2：请填写问题描述。；1-3：请选择结果。")
    assert "另有" in message
    chaoyang.refresh_from_db()
    assert chaoyang.status == AuditStatus.IN_PROGRESS


def test_submit_hands_the_audit_to_review(under_review, auditor):
    assert under_review.status == AuditStatus.UNDER_REVIEW
    assert under_review.events.filter(action=AuditEvent.Action.SUBMITTED, actor=auditor).exists()


def test_a_manager_returns_with_a_comment_and_scoring_continues(under_review, manager, auditor):
    with pytest.raises(services.ScoringError, match="请说明"):
        services.return_audit(audit=under_review, by=manager, comment="  ")
    audit = services.return_audit(
        audit=under_review, by=manager, comment="1-2 的问题描述请补充依据"
    )
    assert audit.status == AuditStatus.IN_PROGRESS
    assert audit.events.get(action=AuditEvent.Action.RETURNED).comment == "1-2 的问题描述请补充依据"
    save(
        audit, "1-2", auditor, result=Result.NON_COMPLIANT, points="3", finding="依据：会议记录缺失"
    )


def test_a_manager_finalizes_and_then_nothing_can_change(under_review, manager, auditor):
    audit = services.finalize_audit(audit=under_review, by=manager)
    assert audit.status == AuditStatus.FINALIZED
    assert audit.finalized_at is not None
    with pytest.raises(services.ScoringError, match="不能再修改"):
        save(audit, "1-1", manager, result=Result.NOT_APPLICABLE, not_applicable_reason="x")
    with pytest.raises(services.ScoringError):
        services.submit_audit(audit=audit, by=auditor)


def test_reopening_needs_a_manager_and_a_reason_which_is_recorded(under_review, manager, auditor):
    audit = services.finalize_audit(audit=under_review, by=manager)
    with pytest.raises(services.ScoringError, match="只有办事处管理者"):
        services.reopen_audit(audit=audit, by=auditor, reason="想改")
    with pytest.raises(services.ScoringError, match="请填写重新打开的理由"):
        services.reopen_audit(audit=audit, by=manager, reason="")
    audit = services.reopen_audit(audit=audit, by=manager, reason="代办处补交了材料")
    assert audit.status == AuditStatus.IN_PROGRESS
    assert audit.finalized_at is None
    assert audit.events.get(action=AuditEvent.Action.REOPENED).comment == "代办处补交了材料"


@pytest.mark.parametrize(
    ("step", "kwargs"),
    [
        (services.finalize_audit, {}),
        (services.return_audit, {"comment": "x"}),
        (services.reopen_audit, {"reason": "x"}),
    ],
)
def test_illegal_transitions_are_refused_with_a_message(scored, manager, step, kwargs):
    with pytest.raises(services.ScoringError, match="不能执行此操作"):
        step(audit=scored, by=manager, **kwargs)
    scored.refresh_from_db()
    assert scored.status == AuditStatus.IN_PROGRESS


def test_auditors_cannot_finalize(under_review, auditor):
    with pytest.raises(services.ScoringError, match="只有办事处管理者"):
        services.finalize_audit(audit=under_review, by=auditor)


def test_an_unstarted_audit_cannot_be_submitted(db, auditor):
    audit = audit_of("008")
    audit.auditors.add(auditor)
    with pytest.raises(services.ScoringError, match="未开始"):
        services.submit_audit(audit=audit, by=auditor)


def test_finalized_scores_are_those_of_the_assessments(under_review, manager):
    audit = services.finalize_audit(audit=under_review, by=manager)
    assert audit.total_score == Decimal("95.9")  # (27 × 10 + 2 × 4) / 290
    assert audit.grade == "excellent"


def test_an_unknown_result_is_refused_and_nothing_is_stored(chaoyang, auditor):
    from checklist.models import Assessment

    with pytest.raises(services.ScoringError, match="请从给定的结果中选择"):
        save(chaoyang, "1-1", auditor, result="excellent")
    assert not Assessment.objects.filter(audit=chaoyang).exists()


def test_an_auditor_not_assigned_cannot_submit(scored, db):
    from accounts.models import Role, User

    stranger = User.objects.create(username="stranger", role=Role.AUDITOR)
    with pytest.raises(services.ScoringError, match="只有分配到该代办处的稽核员"):
        services.submit_audit(audit=scored, by=stranger)
    scored.refresh_from_db()
    assert scored.status == AuditStatus.IN_PROGRESS
