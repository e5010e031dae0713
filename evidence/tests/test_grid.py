from datetime import date, timedelta

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.timezone import localtime

from accounts.models import User
from agencies.models import Agency, Audit
from evidence.models import Reminder
from evidence.tests import samples

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def upload(client, code, number, content=samples.PDF):
    client.post(
        f"/cycles/2023/agencies/{code}/documents/{number}/upload/",
        {"files": [samples.upload(f"{number}.pdf", content)]},
        **XHR,
    )


def test_the_grid_shows_every_agency_and_document_with_counts(client_for, chaoyang):
    upload(client_for("staff004"), "004", 1)
    upload(client_for("staff004"), "004", 2, samples.PDF + b"2")
    response = client_for("auditor").get("/cycles/2023/documents/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 50 and [len(r["cells"]) for r in rows] == [10] * 50
    assert [c["status"] for c in rows[0]["cells"][:3]] == ["submitted", "submitted", "missing"]
    body = response.content.decode()
    assert 'data-testid="count-submitted">已提交 2<' in body
    assert 'data-testid="count-missing">未提交 498<' in body


def test_filters_for_missing_returned_and_overdue(client_for, chaoyang, cycle):
    staff = client_for("staff004")
    for number in range(1, 11):
        upload(staff, "004", number, samples.PDF + bytes([number]))
    client_for("auditor").post(
        "/cycles/2023/agencies/004/documents/review/",
        {"action": "return", "document": "3", "reason": "不清楚"},
    )
    manager = client_for("manager")
    assert len(manager.get("/cycles/2023/documents/?show=missing").context["rows"]) == 49
    assert [
        r["audit"].agency.code
        for r in manager.get("/cycles/2023/documents/?show=returned").context["rows"]
    ] == ["004"]
    assert manager.get("/cycles/2023/documents/?show=overdue").context["rows"] == []
    cycle.document_deadline = date.today() - timedelta(days=1)
    cycle.save()
    overdue = manager.get("/cycles/2023/documents/?show=overdue").context["rows"]
    assert len(overdue) == 50  # 004 is overdue on its returned item
    assert (
        'data-testid="count-overdue">逾期 491<'
        in manager.get("/cycles/2023/documents/").content.decode()
    )


def test_remind_emails_agencies_with_missing_documents_and_records_it(
    client_for, chaoyang, staff004, staff007
):
    User.objects.filter(pk=staff004.pk).update(email="chaoyang@example.org")
    User.objects.filter(pk=staff007.pk).update(email="huairou@example.org")
    staff = client_for("staff004")
    for number in range(1, 11):
        upload(staff, "004", number, samples.PDF + bytes([number]))

    response = client_for("manager").post("/cycles/2023/documents/remind/", follow=True)

    assert "已向 1 个代办处发送提醒邮件。" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["huairou@example.org"]
    assert "怀柔" in message.body and "10 项" in message.body
    assert "/cycles/2023/agencies/007/documents/" in message.body
    reminder = Reminder.objects.get()
    assert reminder.audit.agency.code == "007" and reminder.missing == 10
    # the page shows Beijing dates: after 16:00 UTC that is already the next day
    assert localtime(reminder.sent_at).strftime("%Y-%m-%d") in response.content.decode()


def test_only_managers_and_auditors_remind(client_for):
    assert client_for("administrator").post("/cycles/2023/documents/remind/").status_code == 403
    assert client_for("staff004").post("/cycles/2023/documents/remind/").status_code == 403


def test_queries_do_not_grow_with_the_number_of_agencies(client_for, cycle, chaoyang):
    upload(client_for("staff004"), "004", 1)
    client = client_for("manager")
    with CaptureQueriesContext(connection) as first:
        client.get("/cycles/2023/documents/")
    agencies = Agency.objects.bulk_create(
        Agency(code=f"{n:03d}", name=f"测试{n}") for n in range(500, 950)
    )
    Audit.objects.bulk_create(
        Audit(cycle=cycle, agency=a, serial=51 + i) for i, a in enumerate(agencies)
    )
    with CaptureQueriesContext(connection) as second:
        response = client.get("/cycles/2023/documents/?per_page=200&page=3")
    assert len(response.context["rows"]) == 100  # 500 agencies: 200, 200 and these 100
    assert 'data-testid="count-missing">未提交 4999<' in response.content.decode()
    assert len(second) == len(first)


def test_who_is_reminded_and_what_the_message_says(client_for, cycle, staff004, staff007, settings):
    """004 finalized and 007 complete are skipped (and the agencies after them still
    reminded); at 008 every active agency member with an address is written to, nobody
    else; the message links to the portal and names the deadline."""
    from agencies.models import Agency, AuditStatus

    settings.PORTAL_BASE_URL = "https://audit.bj.example.org/"
    cycle.document_deadline = date(2023, 11, 30)
    cycle.save()
    User.objects.filter(pk=staff004.pk).update(email="chaoyang@example.org")
    User.objects.filter(pk=staff007.pk).update(email="huairou@example.org")
    Audit.objects.filter(cycle=cycle, agency__code="004").update(status=AuditStatus.FINALIZED)
    huairou = Audit.objects.get(cycle=cycle, agency__code="007")
    from evidence.models import DocumentRequest, DocumentStatus, RequiredDocument

    for document in RequiredDocument.objects.filter(cycle=cycle):
        DocumentRequest.objects.create(
            audit=huairou, document=document, status=DocumentStatus.ACCEPTED
        )
    miyun = Agency.objects.get(code="008")
    for name, email, active in [
        ("miyun1", "a@miyun.example.org", True),
        ("miyun2", "b@miyun.example.org", True),
        ("miyun3", "", True),  # no address
        ("miyun4", "gone@miyun.example.org", False),  # left the agency
    ]:
        User.objects.create(
            username=name, role="agency_staff", agency=miyun, email=email, is_active=active
        )
    response = client_for("manager").post("/cycles/2023/documents/remind/", follow=True)

    assert "已向 1 个代办处发送提醒邮件。" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["a@miyun.example.org", "b@miyun.example.org"]
    assert "https://audit.bj.example.org/cycles/2023/agencies/008/documents/" in message.body
    assert "2023-11-30" in message.body and "10 项" in message.body
    (reminder,) = Reminder.objects.all()
    assert reminder.audit.agency.code == "008" and reminder.missing == 10
    assert reminder.recipients == "a@miyun.example.org, b@miyun.example.org"
    assert reminder.error == ""


def test_a_document_is_overdue_from_the_day_after_the_deadline(cycle, chaoyang):
    from evidence.models import DocumentStatus
    from evidence.services import is_overdue

    cycle.document_deadline = date(2023, 11, 30)
    cycle.save()
    audit = Audit.objects.select_related("cycle").get(pk=chaoyang.pk)
    on_the_day, day_after = date(2023, 11, 30), date(2023, 12, 1)
    assert not is_overdue(audit, DocumentStatus.MISSING, on_the_day)
    assert is_overdue(audit, DocumentStatus.MISSING, day_after)
    assert is_overdue(audit, DocumentStatus.RETURNED, day_after)
    assert not is_overdue(audit, DocumentStatus.SUBMITTED, day_after)
    assert not is_overdue(audit, DocumentStatus.ACCEPTED, day_after)


def test_the_documents_page_marks_what_is_overdue(client_for, cycle, chaoyang):
    cycle.document_deadline = timezone.localdate() - timedelta(days=1)
    cycle.save()
    upload(client_for("staff004"), "004", 1)
    page = client_for("staff004").get("/cycles/2023/agencies/004/documents/")
    rows = {row.document.number: row for row in page.context["rows"]}
    assert not rows[1].overdue and rows[2].overdue
    assert page.content.decode().count("逾期") >= 9


def test_columns_are_named_and_not_submitted_is_the_quiet_state(client_for, chaoyang):
    import re

    body = client_for("auditor").get("/cycles/2023/documents/").content.decode()
    headings = re.findall(
        r'<th scope="col" class="doc-heading" title="([^"]+)" data-testid="document-heading-\d+">'
        r'<span class="doc-number">(\d+)</span> ([^<]+)</th>',
        body,
    )
    assert [(number, name) for _title, number, name in headings] == [
        ("1", "管理制度"), ("2", "前次报告"), ("3", "财务报表"), ("4", "账簿凭证"),
        ("5", "往来账"), ("6", "财产盘点"), ("7", "业务报表"), ("8", "合同协议"),
        ("9", "档案"), ("10", "用户名备案"),
    ]  # fmt: skip
    assert headings[3][0].startswith("4. 2022年总账、明细账")  # the whole title on hover
    css = open("static/css/portal.css", encoding="utf-8").read()
    quiet = css.split(".grid-cell.doc-missing {")[1].split("}")[0]
    assert "background: transparent" in quiet


def test_a_document_without_a_short_name_is_headed_by_its_number(client_for, cycle):
    cycle.required_documents.filter(number=5).update(short_name="")
    body = client_for("auditor").get("/cycles/2023/documents/").content.decode()
    assert 'data-testid="document-heading-5"><span class="doc-number">5</span></th>' in body
