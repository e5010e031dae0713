"""通知 in Chromium: a document sent back reaches the agency's staff under the bell; they open
it, land on the page it names, and the bell goes quiet."""

import pytest
from playwright.sync_api import expect

from audit_portal.tests.browser.navigation import arrive
from checklist.tests.helpers import audit_of
from evidence import services as evidence
from evidence.models import DocumentRequest, DocumentStatus, RequiredDocument
from notifications.models import Delivery

pytestmark = pytest.mark.browser


def test_a_returned_document_is_told_opened_and_read(browser_for, portal, manager, staff004):
    audit = audit_of("004")
    document = RequiredDocument.objects.get(cycle=audit.cycle, number=3)
    DocumentRequest.objects.update_or_create(
        audit=audit, document=document, defaults={"status": DocumentStatus.SUBMITTED}
    )
    evidence.return_document(audit=audit, document=document, by=manager, reason="缺第2页")

    staff = browser_for("staff004")
    staff.goto(portal + "/")
    bell = staff.get_by_test_id("nav-notifications")
    expect(bell.get_by_test_id("unread-count")).to_have_text("1")
    expect(bell.get_by_test_id("unread-count")).to_have_attribute("aria-label", "1 条未读")
    bell.click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("通知")
    expect(staff.get_by_test_id("unread-summary")).to_contain_text("有 1 条通知未读")
    item = staff.get_by_test_id("notifications").get_by_role("listitem")
    expect(item).to_contain_text("2023 年度：第 3 项资料")
    expect(item).to_contain_text("被退回补充：缺第2页")
    expect(item).to_contain_text("未读")
    item.get_by_role("button", name="查看").click()
    arrive(staff, portal + "/cycles/2023/agencies/004/documents/")
    expect(staff.get_by_test_id("nav-notifications").get_by_test_id("unread-count")).to_have_count(
        0
    )
    assert Delivery.objects.get(recipient=staff004).read_at is not None

    # the office's own inbox is empty and says what will show there
    office = browser_for("auditor")
    office.goto(portal + "/notifications/")
    expect(office.get_by_text("暂无通知。")).to_be_visible()
