"""Notifications in the portal: an event recorded once, in the inbox of the people it concerns
(the agency's staff, or the audit's team), read under the bell and marked read."""

import pytest

from checklist.tests.helpers import audit_of
from evidence import services as evidence
from evidence.models import DocumentRequest, DocumentStatus, RequiredDocument
from notifications.models import Delivery, Kind, Notification
from notifications.services import notify, unread_count
from rectification import services as rectification
from rectification.tests.helpers import finalized, item_of


def _inbox(user):
    return [
        d.notification
        for d in Delivery.objects.filter(recipient=user).select_related("notification")
    ]


def _returned_document(manager):
    audit = audit_of("004")
    document = RequiredDocument.objects.get(cycle=audit.cycle, number=3)
    DocumentRequest.objects.update_or_create(
        audit=audit, document=document, defaults={"status": DocumentStatus.SUBMITTED}
    )
    evidence.return_document(audit=audit, document=document, by=manager, reason="缺第2页")
    return document


def test_a_returned_document_reaches_the_agencys_staff(manager, staff004, staff007, auditor):
    document = _returned_document(manager)
    [told] = _inbox(staff004)
    assert told.kind == Kind.DOCUMENT_RETURNED
    name = document.short_name or document.title[:23] + "…"
    assert told.text == f"2023 年度：第 3 项资料（{name}）被退回补充：缺第2页"
    assert told.link == "/cycles/2023/agencies/004/documents/"
    assert _inbox(staff007) == _inbox(auditor) == _inbox(manager) == []


def test_the_same_event_is_recorded_once(staff004):
    for _ in range(2):
        notify(kind=Kind.REPORT_ISSUED, key="k", text="t", link="/", recipients=[staff004])
    assert Notification.objects.filter(key="k").count() == 1
    assert unread_count(staff004) == 1


def test_an_inactive_account_is_not_told(staff004):
    staff004.is_active = False
    notify(kind=Kind.REPORT_ISSUED, key="k", text="t", link="/", recipients=[staff004])
    assert not Delivery.objects.exists()


def _answered(item, staff004):
    return rectification.answer_item(
        item=item,
        by=staff004,
        answer=rectification.Answer("建立制度", "王五", item.audit.finalized_at.date()),
        expected_version=item.version,
        submit=True,
    )


def test_the_report_and_the_rectification_steps_reach_the_agency(manager, staff004, staff007):
    audit = finalized("004", manager)
    finalized("007", manager)
    [issued] = _inbox(staff004)
    assert issued.kind == Kind.REPORT_ISSUED and "稽核〔2023〕004号" in issued.text
    assert "稽核〔2023〕007号" in _inbox(staff007)[0].text  # each report its own event
    item = item_of(audit, "1-2")
    for reason in ("请附会议记录", "会议记录缺签字"):  # returned twice: told twice
        item = rectification.return_item(
            item=_answered(item, staff004),
            by=manager,
            reason=reason,
            expected_version=item.version + 1,
        )
        returned = _inbox(staff004)[-1]
        assert returned.kind == Kind.RECTIFICATION_RETURNED and reason in returned.text
        assert returned.link == f"/cycles/2023/agencies/004/rectification/{item.pk}/"
    rectification.close_items(audit=audit, items=[_answered(item, staff004).pk], by=manager)
    assert [n.kind for n in _inbox(staff004)] == [
        Kind.REPORT_ISSUED,
        Kind.RECTIFICATION_RETURNED,
        Kind.RECTIFICATION_RETURNED,
        Kind.RECTIFICATION_CLOSED,
    ]
    assert _inbox(manager) == []


def test_the_inbox_lists_opens_and_marks_read(client_for, manager, staff004):
    _returned_document(manager)
    client = client_for("staff004")
    page = client.get("/notifications/").content.decode()
    assert "缺第2页" in page and "未读" in page
    assert 'data-testid="unread-count">1</span>' in page  # the bell
    [delivery] = Delivery.objects.filter(recipient=staff004)
    notify(kind=Kind.REPORT_ISSUED, key="later", text="报告", link="/", recipients=[staff004])
    opened = client.post(f"/notifications/{delivery.pk}/open/")
    assert (
        opened.status_code == 302 and opened["Location"] == "/cycles/2023/agencies/004/documents/"
    )
    delivery.refresh_from_db()
    assert delivery.read_at is not None and unread_count(staff004) == 1  # only the one opened
    client.post("/notifications/read/")
    page = client.get("/notifications/").content.decode()
    assert 'data-testid="unread-count"' not in page and "都已读" in page


def test_nobody_opens_anothers_notification(client_for, manager, staff004):
    _returned_document(manager)
    [delivery] = Delivery.objects.filter(recipient=staff004)
    assert client_for("staff007").post(f"/notifications/{delivery.pk}/open/").status_code == 404
    delivery.refresh_from_db()
    assert delivery.read_at is None


def test_mark_all_read_marks_only_ones_own(client_for, manager, staff004, auditor):
    _returned_document(manager)
    notify(kind=Kind.REPORT_ISSUED, key="other", text="t", link="/", recipients=[auditor])
    response = client_for("staff004").post("/notifications/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert unread_count(staff004) == 0 and unread_count(auditor) == 1


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/"])
def test_a_link_off_the_portal_is_not_followed(client_for, staff004, link):
    notify(kind=Kind.REPORT_ISSUED, key="k", text="t", link=link, recipients=[staff004])
    [delivery] = Delivery.objects.filter(recipient=staff004)
    response = client_for("staff004").post(f"/notifications/{delivery.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_each_decision_on_more_time_reaches_the_agency(manager, staff004):
    from datetime import timedelta

    audit = finalized("004", manager)
    for grant in (False, True):  # refused, asked again, granted: told each time
        item = item_of(audit, "1-2")
        rectification.ask_for_more_time(
            item=item, by=staff004, proposed=item.deadline + timedelta(days=9), reason="人手不足"
        )
        rectification.decide_on_more_time(
            item=item_of(audit, "1-2"), by=manager, grant=grant, answer="" if grant else "太久"
        )
    refused, granted = _inbox(staff004)[-2:]
    assert refused.kind == granted.kind == Kind.EXTENSION_DECIDED
    assert refused.text == "2023 年度：整改项 1-2 的延期申请未获同意：太久"
    assert granted.text.startswith("2023 年度：整改项 1-2 的延期申请已同意，整改期限延至 ")
