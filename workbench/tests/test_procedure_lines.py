"""工作台 and the audit notice: the agency's staff see the notice they must sign for; a
manager sees, per cycle, how many agencies have not signed (in as many queries for 200
agencies as for 2)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import AuditStatus
from audit_portal.testing import persona_user
from checklist.tests.helpers import audit_of
from procedure import notices
from workbench import selectors

TERMS = notices.NoticeTerms(
    audit_period="2023年度", contact_name="孟主任", contact_phone="010-1", preparation="—"
)


def _issue(code, manager):
    audit = audit_of(code)
    audit.auditors.add(persona_user("auditor"))
    return notices.issue_notice(audit=audit, by=manager, terms=TERMS)


def _lines(client):
    response = client.get("/workbench/")
    return {s.key: s for s in response.context["sections"]}


def test_agency_staff_see_the_notice_to_sign_for_until_they_sign(client_for, manager):
    staff = client_for("staff004")
    assert _lines(staff)["sign"].lines == []
    notice = _issue("004", manager)
    _issue("007", manager)  # 怀柔's is not 朝阳's
    [line] = _lines(staff)["sign"].lines
    assert line.text == "2023年度稽核：稽核通知书 京互稽通〔2023〕1号 待签收"
    assert line.url == "/cycles/2023/agencies/004/notice/"
    notices.sign_for_notice(audit=notice.audit, by=persona_user("staff004"))
    assert _lines(staff)["sign"].lines == []
    # a new version is to be signed for again
    notices.issue_notice(audit=notice.audit, by=manager, terms=TERMS)
    [line] = _lines(staff)["sign"].lines
    assert "京互稽通〔2023〕1号（第2版）" in line.text


def test_the_count_in_the_top_bar_includes_the_notice(client_for, manager):
    staff = persona_user("staff004")
    before = selectors.count_for(staff)
    _issue("004", manager)
    assert selectors.count_for(staff) == before + 1


def test_a_manager_sees_per_cycle_how_many_have_not_signed(client_for, manager):
    client = client_for("manager")
    assert _lines(client)["notices"].lines == []
    for code in ("004", "007", "008"):
        _issue(code, manager)
    [line] = _lines(client)["notices"].lines
    assert line.text == "2023：3 家代办处未签收稽核通知书"
    notices.sign_for_notice(audit=audit_of("007"), by=persona_user("staff007"))
    finalized = audit_of("008")
    finalized.status = AuditStatus.FINALIZED  # nothing left to chase
    finalized.save()
    [line] = _lines(client)["notices"].lines
    assert line.text == "2023：1 家代办处未签收稽核通知书"
    assert line.url == "/cycles/2023/notices/?state=unsigned"
    # the top bar counts it as the lines do
    sections = selectors.sections_for(manager)
    assert selectors.count_for(manager) == sum(s.total for s in sections)


@pytest.mark.parametrize("persona", ["manager", "staff004"])
def test_the_same_queries_for_many_notices_as_for_one(
    client_for, manager, big_roster, persona, monkeypatch
):
    from common import pdf

    # forty notices, not their PDFs, are what this counts: WeasyPrint took 16 s of it
    monkeypatch.setattr(pdf, "render", lambda html: b"%PDF-1.7 stand-in")
    client = client_for(persona)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get("/workbench/")
        return len(captured)

    _issue("004", manager)
    one = queries()
    for code in range(600, 640):
        _issue(str(code), manager)
    assert queries() == one


# 征求意见稿 ------------------------------------------------------------------------------


@pytest.fixture
def draft(cycle, manager):
    """朝阳's draft sent: 1-2 and 2-3 are its problems; 柏稽核 is its auditor."""
    from checklist.services import submit_audit
    from checklist.tests.helpers import score_everything
    from reports import services as reports

    cycle.draft_step = True
    cycle.save()
    audit = audit_of("004")
    audit.auditors.add(persona_user("assigned"))
    score_everything(audit, manager, shortfalls=("1-2", "2-3"))
    submit_audit(audit=audit, by=manager)
    return reports.send_draft(audit=audit_of("004"), by=manager)


def test_agency_staff_see_the_draft_to_reply_to_until_they_reply_or_time_runs_out(
    client_for, draft
):
    from datetime import timedelta

    from procedure.models import DraftReport

    staff = client_for("staff004")
    [line] = _lines(staff)["reply"].lines
    assert line.text == "2023年度稽核：征求意见稿 稽核征〔2023〕004号，请书面反馈"
    assert line.url == "/cycles/2023/agencies/004/draft-report/"
    assert line.due == draft.reply_due
    assert _lines(client_for("staff007"))["reply"].lines == []
    # the last day is still a day to reply; the day after, nothing is asked any more
    DraftReport.objects.update(reply_due=timezone.localdate())
    assert len(_lines(staff)["reply"].lines) == 1
    DraftReport.objects.update(reply_due=timezone.localdate() - timedelta(days=1))
    assert _lines(staff)["reply"].lines == []


def test_the_auditor_of_the_agency_sees_the_objections_to_answer(client_for, draft, manager):
    from procedure import drafts
    from procedure.models import Decision, Opinion

    problems = {p.standard.code: p for p in draft.problems.select_related("standard__category")}
    lines = [
        drafts.ProblemReply(problems["1-2"].pk, Opinion.OBJECTS, "已整改"),
        drafts.ProblemReply(problems["2-3"].pk, Opinion.OBJECTS, "账簿齐全"),
    ]
    assigned = client_for("assigned")
    assert _lines(assigned)["objections"].lines == []  # no reply yet
    drafts.save_reply(
        draft=draft, by=persona_user("staff004"), opinion="", lines=lines, submit=True
    )
    [line] = _lines(assigned)["objections"].lines
    assert line.text == "2023 朝阳（004）：2 项异议待答复"
    assert line.url == "/cycles/2023/agencies/004/draft-report/"
    # not an auditor of 朝阳: not theirs
    assert _lines(client_for("auditor"))["objections"].lines == []
    drafts.answer_objection(
        problem=problems["1-2"], by=manager, decision=Decision.REJECTED, reason="证据不足"
    )
    [line] = _lines(assigned)["objections"].lines
    assert line.text == "2023 朝阳（004）：1 项异议待答复"


def test_only_the_objections_of_a_submitted_reply_wait_for_the_auditor(client_for, draft):
    """A reply still being written asks nothing of the auditor; once submitted, the lines
    the agency agreed to are not objections to answer."""
    from procedure import drafts
    from procedure.models import Opinion

    problems = {p.standard.code: p for p in draft.problems.select_related("standard__category")}
    lines = [
        drafts.ProblemReply(problems["1-2"].pk, Opinion.OBJECTS, "已整改"),
        drafts.ProblemReply(problems["2-3"].pk, Opinion.AGREES, ""),
    ]
    staff = persona_user("staff004")
    assigned = client_for("assigned")
    drafts.save_reply(draft=draft, by=staff, opinion="", lines=lines, submit=False)
    assert _lines(assigned)["objections"].lines == []
    drafts.save_reply(draft=draft, by=staff, opinion="", lines=lines, submit=True)
    [line] = _lines(assigned)["objections"].lines
    assert line.text == "2023 朝阳（004）：1 项异议待答复"


def test_a_draft_replied_to_asks_nothing_more_of_the_agency(client_for, draft):
    from procedure import drafts
    from procedure.models import Opinion

    staff = client_for("staff004")
    assert len(_lines(staff)["reply"].lines) == 1
    lines = [drafts.ProblemReply(p.pk, Opinion.AGREES, "") for p in draft.problems.all()]
    drafts.save_reply(
        draft=draft, by=persona_user("staff004"), opinion="", lines=lines, submit=True
    )
    assert _lines(staff)["reply"].lines == []


def test_agency_staff_read_two_cycles_notices_and_drafts_in_the_queries_of_one(
    client_for, draft, manager, monkeypatch
):
    """A notice and a draft in 2023, then the same in 2024: the lines name each cycle and
    number, read with the notices and drafts themselves."""
    from checklist.services import submit_audit
    from checklist.tests.helpers import score_everything
    from common import pdf
    from cycles.tests.helpers import next_cycle
    from procedure.models import DraftReport
    from reports import services as reports

    monkeypatch.setattr(pdf, "render", lambda html: b"%PDF-1.7 stand-in")
    staff = client_for("staff004")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            sections = _lines(staff)
        return sections, len(captured)

    _issue("004", manager)
    sections, one = queries()
    assert (len(sections["sign"].lines), len(sections["reply"].lines)) == (1, 1)
    following = next_cycle(manager)
    following.draft_step = True
    following.save()
    later = audit_of("004", following.year)
    later.auditors.add(persona_user("assigned"))
    notices.issue_notice(audit=later, by=manager, terms=TERMS)
    score_everything(later, manager, shortfalls=("1-2",))
    submit_audit(audit=later, by=manager)
    reports.send_draft(audit=audit_of("004", following.year), by=manager)
    # the reply soonest due first: 2023's was given more time
    from datetime import timedelta

    DraftReport.objects.filter(pk=draft.pk).update(reply_due=draft.reply_due + timedelta(days=5))
    sections, two = queries()
    assert [line.text[:4] for line in sections["sign"].lines] == ["2024", "2023"]
    assert [line.text[:4] for line in sections["reply"].lines] == ["2024", "2023"]
    assert two == one
