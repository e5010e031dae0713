"""稽核通知书: issued by a manager, numbered in the order issued, frozen as issued, signed
for by the agency's own staff; the office sees who has not signed."""

import hashlib
import io
from datetime import date

import pytest
from pypdf import PdfReader

from accounts.models import Role
from agencies.models import AuditEvent, AuditStatus
from audit_portal.testing import persona_user
from checklist.tests.helpers import audit_of
from procedure import notices
from procedure.models import AuditNotice

TERMS = {
    "audit_period": "2023年1月1日至2023年12月31日",
    "contact_name": "孟主任",
    "contact_phone": "010-65001234",
    "preparation": "请备齐会计凭证。",
}


def _text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def teams(db):
    """朝阳 (004): 柏稽核 and 艾稽核; 怀柔 (007): 艾稽核; 东城 (026): nobody."""
    audit_of("004").auditors.add(persona_user("assigned"), persona_user("auditor"))
    audit_of("007").auditors.add(persona_user("auditor"))


def _issue(client, code="004", **fields):
    return client.post(f"/cycles/2023/agencies/{code}/notice/", TERMS | fields)


def test_a_manager_issues_a_notice_that_says_what_the_agency_must_know(client_for, teams, cycle):
    cycle.document_deadline = date(2024, 2, 28)
    cycle.save()
    bai = persona_user("assigned")
    response = _issue(
        client_for("manager"),
        onsite_start="2024-03-05",
        onsite_end="2024-03-07",
        team_leader=bai.pk,
    )
    assert response.status_code == 302
    notice = AuditNotice.objects.get(audit=audit_of("004"))
    assert notice.number == "京互稽通〔2023〕1号"
    assert (notice.version, notice.sequence, notice.received_at) == (1, 1, None)
    content = bytes(notice.content)
    assert content.startswith(b"%PDF") and notice.sha256 == hashlib.sha256(content).hexdigest()
    text = _text(content)
    for expected in (
        "中国职工保险互助会北京办事处",
        "京互稽通〔2023〕1号",
        "稽核通知书",
        "朝阳：",
        "根据中国职工保险互助会内部稽核工作有关规定",
        "2023年1月1日至2023年12月31日",
        "2024年3月5日至2024年3月7日",
        "组长：柏稽核；成员：艾稽核",
        "2024年2月28日前",
        "请备齐会计凭证。",
        "联系人：孟主任",
        "010-65001234",
    ):
        assert expected in text.replace("\n", ""), expected
    # every required document of the cycle; 2023 has no previous cycle whose report the
    # portal could attach, so 前次稽核报告 is to be uploaded like the rest
    flat = text.replace("\n", "")
    assert "（共 10 项）" in flat and "业务系统用户名变更表和业务系统用户名备案表" in flat
    assert "由平台自动附上年稽核报告" not in flat
    audit = audit_of("004")
    assert (audit.onsite_start, audit.onsite_end, audit.team_leader) == (
        date(2024, 3, 5),
        date(2024, 3, 7),
        bai,
    )
    event = AuditEvent.objects.get(audit=audit, action=AuditEvent.Action.NOTICE_ISSUED)
    assert event.comment == notice.number and event.actor == persona_user("manager")
    cycle.refresh_from_db()
    assert (cycle.notice_contact, cycle.notice_phone) == ("孟主任", "010-65001234")


def test_a_cycle_with_a_previous_one_says_its_report_is_attached(client_for, teams, manager):
    from cycles.tests.helpers import next_cycle

    following = next_cycle(manager)
    audit = audit_of("004", following.year)
    audit.auditors.add(persona_user("assigned"))
    notice = notices.issue_notice(audit=audit, by=manager, terms=notices.NoticeTerms(**TERMS))
    assert "由平台自动附上年稽核报告，无需上传" in _text(bytes(notice.content)).replace("\n", "")


def test_without_on_site_dates_the_notice_says_they_will_be_announced(client_for, teams):
    _issue(client_for("manager"))
    text = _text(bytes(AuditNotice.objects.get().content)).replace("\n", "")
    assert "现场稽核时间另行通知" in text
    # no leader chosen: the team without one
    assert "稽核组成员：艾稽核、柏稽核" in text.replace("\n", "")


def test_notices_are_numbered_in_the_order_issued_and_a_reissue_keeps_its_number(client_for, teams):
    manager = client_for("manager")
    _issue(manager, "007")
    _issue(manager, "004")
    _issue(manager, "007", onsite_start="2024-04-01")
    numbers = dict(AuditNotice.objects.values_list("audit__agency__code", "number").order_by("pk"))
    assert list(AuditNotice.objects.order_by("pk").values_list("number", flat=True)) == [
        "京互稽通〔2023〕1号",
        "京互稽通〔2023〕2号",
        "京互稽通〔2023〕1号（第2版）",
    ]
    assert numbers["004"] == "京互稽通〔2023〕2号"
    assert list(
        AuditNotice.objects.filter(audit=audit_of("007")).values_list("version", "sequence")
    ) == [(2, 1), (1, 1)]


def test_the_number_follows_the_cycles_format(client_for, teams, cycle):
    cycle.notice_number_format = "京互通{year}-{code}-{n}"
    cycle.save()
    _issue(client_for("manager"))
    assert AuditNotice.objects.get().number == "京互通2023-004-1"


def test_a_notice_names_a_team_so_none_is_issued_without_one(client_for, teams):
    response = _issue(client_for("manager"), "026")
    assert response.status_code == 409
    assert "尚未分配稽核人员" in response.content.decode()
    assert not AuditNotice.objects.exists()


def test_no_notice_for_a_finalized_audit(client_for, teams):
    audit = audit_of("004")
    audit.status = AuditStatus.FINALIZED
    audit.save()
    with pytest.raises(notices.NoticeRefused, match="已定稿"):
        notices.issue_notice(
            audit=audit, by=persona_user("manager"), terms=notices.NoticeTerms(**TERMS)
        )
    # and its page offers no form
    page = client_for("manager").get("/cycles/2023/agencies/004/notice/").content.decode()
    assert 'data-testid="notice-form"' not in page


@pytest.mark.parametrize("persona", ["auditor", "assigned", "administrator"])
def test_only_a_manager_issues(client_for, teams, persona):
    assert _issue(client_for(persona)).status_code == 403
    with pytest.raises(notices.NoticeRefused):
        notices.issue_notice(
            audit=audit_of("004"), by=persona_user(persona), terms=notices.NoticeTerms(**TERMS)
        )
    assert not AuditNotice.objects.exists()


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"contact_name": ""}, "contact_name", "请填写代办处可联系的人员"),
        ({"contact_phone": ""}, "contact_phone", "请填写联系人的电话"),
        ({"onsite_start": "2024-03-07", "onsite_end": "2024-03-05"}, "onsite_end", "不能早于"),
        ({"onsite_end": "2024-03-05"}, "onsite_start", "请同时填写现场稽核的第一天"),
        ({"onsite_start": "5.3.2024"}, "onsite_start", "2024-03-05"),
        ({"team_leader": "999999"}, "team_leader", "请在已分配的稽核人员中选择组长"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_issued(
    client_for, teams, fields, field, message
):
    audit = audit_of("004")
    audit.onsite_start = date(2024, 1, 2)
    audit.save()
    response = _issue(client_for("manager"), **fields)
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert f'id="id_{field}-error"' in page
    assert not AuditNotice.objects.exists()
    assert audit_of("004").onsite_start == date(2024, 1, 2)  # nothing saved


def test_an_auditor_who_is_not_assigned_cannot_lead(client_for, teams):
    outsider = persona_user("auditor")
    audit_of("004").auditors.remove(outsider)
    assert _issue(client_for("manager"), team_leader=outsider.pk).status_code == 422


def test_agency_staff_sign_for_their_notice_once_and_the_office_sees_it(client_for, teams):
    _issue(client_for("manager"))
    staff = client_for("staff004")
    page = staff.get("/cycles/2023/agencies/004/notice/").content.decode()
    assert 'data-testid="notice-sign"' in page and "尚未签收" in page
    response = staff.post("/cycles/2023/agencies/004/notice/receive/")
    assert response.status_code == 302
    notice = AuditNotice.objects.get()
    assert notice.received_by == persona_user("staff004") and notice.received_at is not None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.NOTICE_RECEIVED).count() == 1
    # once: a second press says when it was signed, and changes nothing
    first = notice.received_at
    response = staff.post("/cycles/2023/agencies/004/notice/receive/", follow=True)
    assert "已于" in response.content.decode() and "签收" in response.content.decode()
    notice.refresh_from_db()
    assert notice.received_at == first
    office = client_for("auditor").get("/cycles/2023/agencies/004/notice/").content.decode()
    assert "朝阳经办人" in office and 'data-testid="notice-sign"' not in office


def test_a_new_version_must_be_signed_for_again(client_for, teams):
    manager, staff = client_for("manager"), client_for("staff004")
    _issue(manager)
    staff.post("/cycles/2023/agencies/004/notice/receive/")
    _issue(manager, onsite_start="2024-05-06")
    newest = AuditNotice.objects.order_by("-version").first()
    assert newest.version == 2 and newest.received_at is None
    staff.post("/cycles/2023/agencies/004/notice/receive/")
    newest.refresh_from_db()
    assert newest.received_by == persona_user("staff004")


def test_nobody_else_signs(client_for, teams):
    _issue(client_for("manager"))
    assert (
        client_for("staff007").post("/cycles/2023/agencies/004/notice/receive/").status_code == 404
    )
    assert (
        client_for("manager").post("/cycles/2023/agencies/004/notice/receive/").status_code == 403
    )
    with pytest.raises(notices.NoticeRefused):
        notices.sign_for_notice(audit=audit_of("004"), by=persona_user("staff007"))
    assert AuditNotice.objects.get().received_at is None


def test_nothing_to_sign_before_a_notice_is_issued(client_for):
    response = client_for("staff004").post("/cycles/2023/agencies/004/notice/receive/", follow=True)
    assert "尚未向你单位发出稽核通知书" in response.content.decode()


def test_the_pdf_is_the_bytes_issued_for_the_agency_and_the_office(client_for, teams):
    _issue(client_for("manager"))
    notice = AuditNotice.objects.get()
    for persona in ("staff004", "auditor", "manager"):
        response = client_for(persona).get("/cycles/2023/agencies/004/notice.pdf")
        assert response.status_code == 200
        assert response.content == bytes(notice.content)
        assert response["X-Document-SHA256"] == notice.sha256
        assert response["Content-Disposition"].startswith("inline")
    assert client_for("staff007").get("/cycles/2023/agencies/004/notice.pdf").status_code == 404
    assert (
        client_for("staff004").get("/cycles/2023/agencies/004/notice.pdf?version=1").status_code
        == 403
    )
    assert (
        client_for("manager").get("/cycles/2023/agencies/004/notice.pdf?version=2").status_code
        == 404
    )
    assert (
        client_for("manager").get("/cycles/2023/agencies/004/notice.pdf?version=x").status_code
        == 404
    )
    assert client_for("manager").get("/cycles/2023/agencies/007/notice.pdf").status_code == 404


def test_an_issued_notice_never_changes(client_for, teams, cycle):
    _issue(client_for("manager"))
    before = bytes(AuditNotice.objects.get().content)
    cycle.notice_basis = "另一种依据"
    cycle.title = "改过的标题"
    cycle.save()
    audit = audit_of("004")
    audit.onsite_start = date(2025, 1, 1)
    audit.save()
    after = client_for("manager").get("/cycles/2023/agencies/004/notice.pdf").content
    assert after == before


def test_the_agency_page_shows_the_notice_and_whether_it_is_signed(client_for, teams):
    manager = client_for("manager")
    page = manager.get("/cycles/2023/agencies/004/").content.decode()
    assert "尚未发出，去发出" in page
    _issue(manager)
    page = client_for("staff004").get("/cycles/2023/agencies/004/").content.decode()
    assert "京互稽通〔2023〕1号" in page and "尚未签收" in page


def test_the_cycle_page_counts_issued_and_signed_and_filters(client_for, teams):
    manager = client_for("manager")
    _issue(manager, "004")
    _issue(manager, "007")
    client_for("staff004").post("/cycles/2023/agencies/004/notice/receive/")
    _issue(manager, "007", onsite_start="2024-06-01")  # 怀柔's newest is not signed
    page = manager.get("/cycles/2023/notices/").content.decode()
    assert "共 50 家代办处中 2 家已发出通知书，1 家已签收" in page
    unsigned = manager.get("/cycles/2023/notices/?state=unsigned").content.decode()
    assert "怀柔" in unsigned and "朝阳" not in unsigned
    signed = manager.get("/cycles/2023/notices/?state=signed").content.decode()
    assert "朝阳" in signed and "怀柔" not in signed
    none = manager.get("/cycles/2023/notices/?state=none").content.decode()
    assert "朝阳" not in none and "东城" in none


def test_issuing_every_missing_notice_skips_those_without_a_team(client_for, teams):
    manager = client_for("manager")
    _issue(manager, "007")
    response = manager.post("/cycles/2023/notices/", TERMS, follow=True)
    page = response.content.decode()
    assert "已发出 1 份稽核通知书" in page
    assert "48 家代办处尚未发出通知书" in page and "东城" in page
    # 怀柔 kept its one notice; 朝阳 got the next number
    assert AuditNotice.objects.filter(audit=audit_of("007")).count() == 1
    assert AuditNotice.objects.get(audit=audit_of("004")).number == "京互稽通〔2023〕2号"
    # run again: nothing twice
    manager.post("/cycles/2023/notices/", TERMS)
    assert AuditNotice.objects.count() == 2


def test_the_batch_form_refuses_missing_terms(client_for, teams):
    response = client_for("manager").post("/cycles/2023/notices/", TERMS | {"contact_phone": ""})
    assert response.status_code == 422
    assert not AuditNotice.objects.exists()


def test_only_a_manager_issues_the_batch(client_for, teams):
    assert client_for("auditor").post("/cycles/2023/notices/", TERMS).status_code == 403
    assert not AuditNotice.objects.exists()


def test_the_cycle_page_reads_the_same_queries_for_any_number_of_agencies(
    client_for, teams, big_roster, manager
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("manager")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/cycles/2023/notices/?per_page=200")
        assert response.status_code == 200
        return len(captured), response.content.decode().count("<tr>")

    _issue(client, "004")
    one, rows = queries()
    for code in range(600, 630):
        audit = audit_of(str(code))
        audit.auditors.add(persona_user("auditor"))
        notices.issue_notice(audit=audit, by=manager, terms=notices.NoticeTerms(**TERMS))
    assert queries() == (one, rows) and rows == 201


def test_the_number_format_accepts_only_its_placeholders():
    from django.core.exceptions import ValidationError

    from agencies.models import validate_notice_number_format

    validate_notice_number_format("京互稽通〔{year}〕{n}号")
    validate_notice_number_format("{code}-{n}")
    for bad in ("{编号}", "{n.__class__}", "{n:>5}", "{"):
        with pytest.raises(ValidationError):
            validate_notice_number_format(bad)


def test_leader_choices_are_the_assigned_auditors(teams):
    assert [u.username for u in notices.leader_choices(audit_of("004"))] == ["alice", "bai"]
    assert all(u.role == Role.AUDITOR for u in notices.leader_choices(audit_of("004")))
