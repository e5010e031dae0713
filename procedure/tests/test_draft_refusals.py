"""What the draft procedure refuses, said in the reader's words, and the background issuing
of a cycle's notices as a worker runs it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit_portal.testing import persona_user
from checklist.services import Entry
from checklist.tests.helpers import audit_of
from procedure import drafts, notices, tasks
from procedure.models import Decision, DraftReport, Opinion, ReplyStatus
from reports import services as reports

from .helpers import problem_of, reply


def test_only_a_manager_sends(sent, auditor):
    with pytest.raises(drafts.DraftRefused, match="只有主任可以发送征求意见稿"):
        drafts.require_can_send(audit_of("004"), auditor)


def test_a_new_draft_after_the_deadline_records_the_lapse_of_the_old(sent, manager):
    DraftReport.objects.update(reply_due=timezone.localdate() - timedelta(days=1))
    second = reports.send_draft(audit=audit_of("004"), by=manager)
    assert second.version == 2
    assert DraftReport.objects.get(version=1).status == ReplyStatus.LAPSED


def test_a_reply_goes_to_the_newest_draft(sent, manager, staff004):
    DraftReport.objects.update(reply_due=timezone.localdate() - timedelta(days=1))
    reports.send_draft(audit=audit_of("004"), by=manager)
    DraftReport.objects.filter(version=1).update(
        status=ReplyStatus.WAITING, reply_due=timezone.localdate()
    )
    with pytest.raises(drafts.DraftRefused, match="请对新稿反馈"):
        drafts.save_reply(draft=sent, by=staff004, opinion="", lines=[], submit=False)


def test_only_the_agencys_staff_reply(sent, staff007):
    with pytest.raises(drafts.DraftRefused, match="只有本代办处的经办人"):
        drafts.save_reply(draft=sent, by=staff007, opinion="", lines=[], submit=False)


def test_a_line_for_a_problem_not_in_the_draft_is_ignored(sent, staff004):
    lines = [drafts.ProblemReply(999999, Opinion.OBJECTS, "x")]
    drafts.save_reply(draft=sent, by=staff004, opinion="", lines=lines, submit=False)
    assert not sent.problems.exclude(opinion="").exists()


@pytest.mark.parametrize(
    "decision, reason, entry, message",
    [
        ("maybe", "x", None, "请选择“采纳”“部分采纳”或“不采纳”"),
        (Decision.ADOPTED, "  ", None, "请填写答复理由"),
        (Decision.REJECTED, "x", Entry(result="compliant"), "只有采纳或部分采纳异议时才修改评分"),
    ],
)
def test_an_answer_is_refused_without_a_decision_or_a_reason(
    objected, manager, decision, reason, entry, message
):
    with pytest.raises(drafts.DraftRefused, match=message):
        drafts.answer_objection(
            problem=problem_of(objected, "1-2"),
            by=manager,
            decision=decision,
            reason=reason,
            entry=entry,
            expected_version=1,
        )


def test_no_answer_once_the_audit_is_no_longer_under_review(objected, manager):
    from agencies.models import Audit, AuditStatus

    Audit.objects.filter(pk=objected.audit_id).update(status=AuditStatus.IN_PROGRESS)
    with pytest.raises(drafts.DraftRefused, match="异议须在复核期间答复"):
        drafts.answer_objection(
            problem=problem_of(objected, "1-2"), by=manager, decision=Decision.REJECTED, reason="x"
        )


def test_an_objection_is_answered_only_by_its_team_or_a_manager(objected):
    with pytest.raises(drafts.DraftRefused, match="只有分配的稽核员和主任"):
        drafts.answer_objection(
            problem=problem_of(objected, "1-2"),
            by=persona_user("auditor"),
            decision=Decision.REJECTED,
            reason="x",
        )


def test_a_not_manager_finalizing_is_left_to_finalize_audit(sent, auditor):
    # the draft step says nothing to someone who may not finalize: finalize_audit refuses
    from checklist.services import ScoringError

    with pytest.raises(ScoringError) as refused:
        reports.finalize_and_issue(audit=audit_of("004"), by=auditor)
    assert not isinstance(refused.value, drafts.DraftRefused)


def test_the_batch_in_the_background_says_it_is_queued(cycle, manager, monkeypatch):
    from django_tasks.base import TaskResultStatus

    class Queued:
        status = TaskResultStatus.READY

    from types import SimpleNamespace

    monkeypatch.setattr(
        tasks, "issue_cycle_notices", SimpleNamespace(enqueue=lambda *args: Queued())
    )
    terms = notices.NoticeTerms.from_cycle(cycle)
    assert tasks.start_issuing(cycle=cycle, by=manager, terms=terms) is None


def test_a_batch_that_fails_keeps_what_it_issued_and_says_so(cycle, manager, monkeypatch):
    audit_of("004").auditors.add(persona_user("auditor"))

    def broken(**kwargs):
        raise OSError("字体缺失")

    monkeypatch.setattr(notices, "issue_notices", broken)
    terms = notices.NoticeTerms.from_cycle(cycle)
    with pytest.raises(RuntimeError, match="failed"):
        tasks.start_issuing(cycle=cycle, by=manager, terms=terms)


def test_reply_helper_posts_every_problem(client_for, sent):
    response = reply(client_for("staff004"), sent, {}, action="save")
    assert response.status_code == 302
