"""稽核通知书 in Chromium: a manager issues it from the agency page, the agency's staff find
it on their 工作台 and sign for it, and the office sees the receipt."""

import pytest
from playwright.sync_api import expect

from audit_portal.testing import persona_user
from checklist.tests.helpers import audit_of
from procedure.models import AuditNotice

pytestmark = pytest.mark.browser


def test_a_notice_is_issued_found_and_signed_for(browser_for, portal):
    audit_of("004").auditors.add(persona_user("assigned"), persona_user("auditor"))
    manager = browser_for("manager")
    manager.goto(portal + "/cycles/2023/agencies/004/")
    manager.get_by_test_id("audit-notice").get_by_role("link", name="尚未发出，去发出").click()
    form = manager.get_by_test_id("notice-form")
    form.get_by_label("现场稽核开始日期").fill("2024-03-05")
    form.get_by_label("现场稽核结束日期").fill("2024-03-04")
    form.get_by_label("稽核组组长").select_option(label="柏稽核")
    form.get_by_label("联系人").fill("孟主任")
    form.get_by_label("联系电话").fill("010-65001234")
    form.get_by_role("button", name="发出稽核通知书").click()
    # a wrong date is said beside its field, and what was typed stays
    expect(manager.get_by_text("现场稽核结束日期不能早于开始日期。")).to_be_visible()
    expect(form.get_by_label("联系电话")).to_have_value("010-65001234")
    assert not AuditNotice.objects.exists()
    form.get_by_label("现场稽核结束日期").fill("2024-03-07")
    form.get_by_role("button", name="发出稽核通知书").click()
    expect(manager.get_by_role("status").first).to_contain_text(
        "已发出稽核通知书 京互稽通〔2023〕1号"
    )
    expect(manager.get_by_test_id("notice-receipt")).to_contain_text("尚未签收")
    expect(manager.get_by_test_id("notice-pdf")).to_have_attribute(
        "href", "/cycles/2023/agencies/004/notice.pdf"
    )

    staff = browser_for("staff004")
    staff.goto(portal + "/workbench/")
    line = staff.get_by_test_id("section-sign").get_by_role("link")
    expect(line).to_have_text("2023年度稽核：稽核通知书 京互稽通〔2023〕1号 待签收")
    line.click()
    # the PDF opens in the browser: fetched with the staff member's session
    href = staff.get_by_test_id("notice-pdf").get_attribute("href")
    response = staff.request.get(portal + href)
    assert response.status == 200 and response.body().startswith(b"%PDF")
    assert response.body() == bytes(AuditNotice.objects.get().content)
    staff.get_by_role("button", name="确认签收").click()
    expect(staff.get_by_test_id("notice-receipt")).to_contain_text("已签收")
    expect(staff.get_by_test_id("notice-receipt")).to_contain_text("朝阳经办人")
    expect(staff.get_by_role("button", name="确认签收")).to_have_count(0)

    manager.goto(portal + "/cycles/2023/notices/?state=signed")
    expect(manager.get_by_test_id("notice-counts")).to_contain_text("1 家已签收")
    expect(manager.get_by_test_id("notices")).to_contain_text("朝阳经办人")
