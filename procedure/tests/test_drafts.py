"""征求意见稿: the report as it stands sent for the agency's written reply; the reply (无异议
/ 有异议 with explanation and proof), its deadline (逾期未反馈，视为无异议), the auditor's
answer to each objection, and the issued report that states them."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.models import AuditEvent, AuditStatus
from audit_portal.testing import persona_user
from checklist.models import AssessmentChange, Result
from checklist.services import submit_audit
from checklist.tests.helpers import audit_of, score_everything
from evidence.tests.conftest import empty_store  # noqa: F401 (each test ends with an empty store)
from procedure import drafts
from procedure.models import Decision, DraftProblem, DraftReport, Opinion, ReplyStatus
from reports import services as reports
from reports.models import IssuedReport
from reports.tests.helpers import pdf_text

from .helpers import PROBLEMS, problem_of, reply


def test_a_manager_sends_the_report_as_it_stands_marked_numbered_and_kept(client_for, under_review):
    response = client_for("manager").post("/cycles/2023/agencies/004/draft-report/send/")
    assert response.status_code == 302
    draft = DraftReport.objects.get()
    assert draft.number == "稽核征〔2023〕004号" and draft.version == 1 and draft.is_intact
    assert draft.reply_due == timezone.localdate() + timedelta(days=10)
    assert draft.status == ReplyStatus.WAITING
    text = pdf_text(bytes(draft.content)).replace("\n", "")
    assert "征求意见稿" in text and "稽核征〔2023〕004号" in text
    assert "逾期未反馈，视为无异议" in text
    assert "1-2 的问题" in text  # the problems as they stand
    assert [p.standard.code for p in draft.problems.all()] == list(PROBLEMS)
    assert all(p.finding == f"{p.standard.code} 的问题" for p in draft.problems.all())
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DRAFT_SENT).count() == 1
    # the agency reads it: the very bytes sent
    pdf = client_for("staff004").get("/cycles/2023/agencies/004/draft-report.pdf")
    assert pdf.status_code == 200 and pdf.content == bytes(draft.content)
    assert (
        client_for("staff007").get("/cycles/2023/agencies/004/draft-report.pdf").status_code == 404
    )


def test_the_reply_days_are_the_cycles(client_for, under_review, cycle, manager):
    cycle.draft_reply_days = 3
    cycle.save()
    draft = reports.send_draft(audit=under_review, by=manager)
    assert draft.reply_due == timezone.localdate() + timedelta(days=3)


@pytest.mark.parametrize("persona", ["auditor", "assigned", "administrator"])
def test_only_a_manager_sends_it(client_for, under_review, persona):
    response = client_for(persona).post("/cycles/2023/agencies/004/draft-report/send/")
    assert response.status_code == 403
    assert not DraftReport.objects.exists()


def test_not_before_review_and_not_twice_while_waiting(client_for, cycle, manager, sent):
    with pytest.raises(drafts.DraftRefused, match="正等待代办处反馈"):
        reports.send_draft(audit=audit_of("004"), by=manager)
    other = audit_of("007")
    other.auditors.add(persona_user("assigned"))
    with pytest.raises(drafts.DraftRefused, match="进入复核后"):
        reports.send_draft(audit=other, by=manager)
    cycle.draft_step = False
    cycle.save()
    score_everything(other, manager)
    submit_audit(audit=other, by=manager)
    with pytest.raises(drafts.DraftRefused, match="未启用征求意见稿"):
        reports.send_draft(audit=audit_of("007"), by=manager)
    assert DraftReport.objects.count() == 1


def test_with_the_step_on_the_report_waits_for_the_draft(client_for, under_review):
    response = client_for("manager").post("/cycles/2023/agencies/004/finalize/", follow=True)
    assert "请先向代办处发送征求意见稿" in response.content.decode()
    assert audit_of("004").status == AuditStatus.UNDER_REVIEW
    assert not IssuedReport.objects.exists()


def test_and_for_the_reply_until_its_deadline(client_for, sent, manager):
    with pytest.raises(drafts.DraftRefused, match="反馈期限至"):
        reports.finalize_and_issue(audit=audit_of("004"), by=manager)
    assert not IssuedReport.objects.exists()


def test_a_draft_sent_before_the_audit_went_back_to_the_auditors_is_not_enough(
    client_for, sent, manager
):
    from checklist.services import return_audit

    reply(client_for("staff004"), sent, {"1-2": (Opinion.AGREES, ""), "2-3": (Opinion.AGREES, "")})
    return_audit(audit=audit_of("004"), by=manager, comment="2-3 再核对")
    submit_audit(audit=audit_of("004"), by=manager)
    with pytest.raises(drafts.DraftRefused, match="请重新发送征求意见稿"):
        reports.finalize_and_issue(audit=audit_of("004"), by=manager)
    second = reports.send_draft(audit=audit_of("004"), by=manager)
    assert second.version == 2 and second.number == "稽核征〔2023〕004号（第2版）"
    reply(
        client_for("staff004"), second, {"1-2": (Opinion.AGREES, ""), "2-3": (Opinion.AGREES, "")}
    )
    assert reports.finalize_and_issue(audit=audit_of("004"), by=manager).version == 1


def test_no_reply_after_the_deadline_is_taken_as_no_objection(client_for, sent, manager):
    DraftReport.objects.update(reply_due=timezone.localdate() - timedelta(days=1))
    # the agency can no longer reply
    response = reply(client_for("staff004"), sent, {})
    assert response.status_code == 409
    assert "逾期未反馈，视为无异议" in response.content.decode()
    report = reports.finalize_and_issue(audit=audit_of("004"), by=manager)
    assert DraftReport.objects.get().status == ReplyStatus.LAPSED
    event = AuditEvent.objects.get(action=AuditEvent.Action.DRAFT_LAPSED)
    assert event.comment == sent.number
    text = pdf_text(bytes(report.content)).replace("\n", "")
    assert "被稽核单位反馈意见及采纳情况" in text
    assert "被稽核单位逾期未反馈，视为无异议" in text


def test_the_last_day_is_still_open(client_for, sent, manager):
    DraftReport.objects.update(reply_due=timezone.localdate())
    response = reply(
        client_for("staff004"), sent, {"1-2": (Opinion.AGREES, ""), "2-3": (Opinion.AGREES, "")}
    )
    assert response.status_code == 302
    assert DraftReport.objects.get().status == ReplyStatus.ANSWERED


def test_the_agency_saves_then_submits_and_every_problem_needs_its_opinion(client_for, sent):
    staff = client_for("staff004")
    response = reply(staff, sent, {"1-2": (Opinion.AGREES, "")}, action="save")
    assert response.status_code == 302
    assert problem_of(sent, "1-2").opinion == Opinion.AGREES
    # submitting with 2-3 unanswered: refused, what was typed is kept
    response = reply(staff, sent, {"1-2": (Opinion.AGREES, ""), "2-3": (Opinion.OBJECTS, "")})
    page = response.content.decode()
    assert response.status_code == 409
    assert "请说明对 2-3 的异议理由" in page and "已填写的内容已保存" in page
    assert problem_of(sent, "2-3").opinion == Opinion.OBJECTS
    assert DraftReport.objects.get().status == ReplyStatus.WAITING
    response = reply(
        staff, sent, {"1-2": (Opinion.AGREES, ""), "2-3": (Opinion.OBJECTS, "已于2023年12月整改")}
    )
    assert response.status_code == 302
    draft = DraftReport.objects.get()
    assert draft.status == ReplyStatus.ANSWERED and draft.opinion == "总体同意"
    assert draft.replied_by == persona_user("staff004")
    event = AuditEvent.objects.get(action=AuditEvent.Action.DRAFT_ANSWERED)
    assert event.comment == "稽核征〔2023〕004号：1 项有异议"
    # submitted: no more changes
    response = reply(staff, sent, {"1-2": (Opinion.OBJECTS, "改主意")})
    assert response.status_code == 409
    assert problem_of(sent, "1-2").opinion == Opinion.AGREES


def test_a_missing_opinion_is_named(client_for, sent):
    response = reply(client_for("staff004"), sent, {"1-2": (Opinion.AGREES, "")})
    assert "请对 2-3 选择“无异议”或“有异议”" in response.content.decode()


@pytest.mark.parametrize("persona, status", [("manager", 403), ("auditor", 403), ("staff007", 404)])
def test_nobody_else_replies(client_for, sent, persona, status):
    response = reply(
        client_for(persona), sent, {"1-2": (Opinion.OBJECTS, "x"), "2-3": (Opinion.OBJECTS, "x")}
    )
    assert response.status_code == status
    assert DraftReport.objects.get().status == ReplyStatus.WAITING
    assert not DraftProblem.objects.exclude(opinion="").exists()


def test_proof_goes_through_the_upload_pipeline(client_for, sent):
    staff = client_for("staff004")
    problem = problem_of(sent, "2-3")
    proof = SimpleUploadedFile("整改记录.pdf", b"%PDF-1.4 proof", content_type="application/pdf")
    scan = SimpleUploadedFile("反馈函.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    response = reply(
        staff,
        sent,
        {"1-2": (Opinion.AGREES, ""), "2-3": (Opinion.OBJECTS, "已整改")},
        **{f"proof-{problem.pk}": proof, "signed_reply": scan},
    )
    assert response.status_code == 302
    [stored] = problem.proofs.select_related("file")
    assert stored.file.original_name == "整改记录.pdf" and stored.file.audit == audit_of("004")
    draft = DraftReport.objects.get()
    assert draft.signed_reply.original_name == "反馈函.pdf"
    # the office downloads them as every evidence file
    download = client_for("auditor").get(f"/cycles/2023/agencies/004/files/{stored.file.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 proof"


def test_a_refused_file_is_said_and_the_reply_is_not_submitted(client_for, sent):
    problem = problem_of(sent, "2-3")
    bad = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = reply(
        client_for("staff004"),
        sent,
        {"1-2": (Opinion.AGREES, ""), "2-3": (Opinion.OBJECTS, "已整改")},
        **{f"proof-{problem.pk}": bad},
    )
    assert response.status_code == 422
    assert "病毒.exe" in response.content.decode()
    draft = DraftReport.objects.get()
    assert draft.status == ReplyStatus.WAITING
    assert problem_of(draft, "2-3").explanation == "已整改"  # the typing is kept
    assert not problem.proofs.exists()


def _answer(client, draft, code, **data):
    problem = problem_of(draft, code)
    return client.post(
        f"/cycles/2023/agencies/004/draft-report/problems/{problem.pk}/answer/", data, follow=True
    )


def test_adopting_an_objection_changes_the_standard_with_history_saying_so(
    client_for, objected, manager
):
    audit = audit_of("004")
    before = audit.total_score
    assessment = audit.assessments.get(standard__category__position=1, standard__number=2)
    response = _answer(
        client_for("assigned"),
        objected,
        "1-2",
        decision=Decision.ADOPTED,
        reason="修订后的制度已核实",
        change="1",
        result=Result.COMPLIANT,
        points="",
        finding="",
        rectification="",
        version=assessment.version,
    )
    assert "已记录对 1-2 的答复" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.result == Result.COMPLIANT
    change = assessment.changes.order_by("-version").first()
    assert change.source == AssessmentChange.Source.CONSULTATION
    assert change.changed_by == persona_user("assigned")
    assert audit_of("004").total_score > before  # the scores follow
    problem = problem_of(objected, "1-2")
    assert (problem.decision, problem.decided_by) == (Decision.ADOPTED, persona_user("assigned"))
    # 2-3 not answered yet: no report
    with pytest.raises(drafts.DraftRefused, match="请先答复代办处的异议：2-3"):
        reports.finalize_and_issue(audit=audit_of("004"), by=manager)
    _answer(
        client_for("manager"),
        objected,
        "2-3",
        decision=Decision.REJECTED,
        reason="账簿缺2023年12月",
    )
    report = reports.finalize_and_issue(audit=audit_of("004"), by=manager)
    text = pdf_text(bytes(report.content)).replace("\n", "")
    assert "被稽核单位反馈意见及采纳情况" in text
    assert "对 2 项问题有异议" in text
    for expected in (
        "制度已于2023年6月修订",
        "采纳",
        "修订后的制度已核实",
        "不采纳",
        "账簿缺2023年12月",
    ):
        assert expected in text, expected
    # the issued report's problems are the final ones: 1-2 is no longer one
    assert "1-2 的问题" not in text and "2-3 的问题" in text


def test_a_stale_page_changes_nothing(client_for, objected):
    response = _answer(
        client_for("assigned"),
        objected,
        "1-2",
        decision=Decision.ADOPTED,
        reason="核实",
        change="1",
        result=Result.COMPLIANT,
        version=0,  # not the version now
    )
    assert "已被他人修改" in response.content.decode()
    assert not problem_of(objected, "1-2").decision
    assert (
        audit_of("004").assessments.get(standard__number=2, standard__category__position=1).result
        == Result.NON_COMPLIANT
    )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"decision": Decision.ADOPTED, "reason": ""}, "请填写答复理由"),
        ({"decision": "", "reason": "x"}, "请选择“采纳”“部分采纳”或“不采纳”"),
        (
            {
                "decision": Decision.REJECTED,
                "reason": "x",
                "change": "1",
                "result": Result.COMPLIANT,
                "version": 2,
            },
            "只有采纳或部分采纳异议时才修改评分",
        ),
    ],
)
def test_an_answer_needs_a_decision_and_a_reason(client_for, objected, data, message):
    response = _answer(client_for("assigned"), objected, "1-2", **data)
    assert message in response.content.decode()
    assert not problem_of(objected, "1-2").decision


@pytest.mark.parametrize(
    "persona, status", [("auditor", None), ("staff004", 403), ("staff007", 404)]
)
def test_only_the_assigned_auditors_and_managers_answer(client_for, objected, persona, status):
    problem = problem_of(objected, "1-2")
    response = client_for(persona).post(
        f"/cycles/2023/agencies/004/draft-report/problems/{problem.pk}/answer/",
        {"decision": Decision.REJECTED, "reason": "x"},
        follow=status is None,
    )
    if status is None:  # an auditor not on the team: told so
        assert "只有分配的稽核员和主任可以答复异议" in response.content.decode()
    else:
        assert response.status_code == status
    assert not problem_of(objected, "1-2").decision


def test_no_objection_leaves_nothing_to_answer(client_for, sent, manager):
    reply(client_for("staff004"), sent, {"1-2": (Opinion.AGREES, ""), "2-3": (Opinion.AGREES, "")})
    with pytest.raises(drafts.DraftRefused, match="没有需要答复的异议"):
        drafts.answer_objection(
            problem=problem_of(sent, "1-2"), by=manager, decision=Decision.REJECTED, reason="x"
        )
    report = reports.finalize_and_issue(audit=audit_of("004"), by=manager)
    assert "对全部问题无异议" in pdf_text(bytes(report.content)).replace("\n", "")


def test_without_the_step_the_report_says_nothing_of_it(client_for, cycle, manager):
    audit = audit_of("004")
    score_everything(audit, manager, shortfalls=PROBLEMS)
    submit_audit(audit=audit, by=manager)
    report = reports.finalize_and_issue(audit=audit, by=manager)
    assert "被稽核单位反馈意见" not in pdf_text(bytes(report.content))


def test_the_draft_page_shows_each_side_what_to_do(client_for, objected):
    staff = client_for("staff004").get("/cycles/2023/agencies/004/draft-report/").content.decode()
    assert 'data-testid="reply-form"' not in staff and "制度已于2023年6月修订" in staff
    auditor = client_for("assigned").get("/cycles/2023/agencies/004/draft-report/").content.decode()
    assert 'data-testid="answer-1-2"' in auditor
    outsider = client_for("auditor").get("/cycles/2023/agencies/004/draft-report/").content.decode()
    assert 'data-testid="answer-1-2"' not in outsider


def test_the_next_cycle_keeps_the_procedures_settings(cycle, manager):
    from cycles.tests.helpers import next_cycle

    cycle.draft_step, cycle.draft_reply_days = True, 7
    cycle.notice_number_format = "京通{year}-{n}"
    cycle.notice_contact = "孟主任"
    cycle.save()
    following = next_cycle(manager)
    assert (following.draft_step, following.draft_reply_days) == (True, 7)
    assert following.notice_number_format == "京通{year}-{n}"
    assert following.notice_contact == "孟主任"
