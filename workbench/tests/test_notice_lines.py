"""工作台 and the audit notice: the agency's staff see the notice they must sign for; a
manager sees, per cycle, how many agencies have not signed (in as many queries for 200
agencies as for 2)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
def test_the_same_queries_for_many_notices_as_for_one(client_for, manager, big_roster, persona):
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
