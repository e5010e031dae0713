"""Who audits whom in Chromium: assigning an auditor to an agency they audited in each of the
last two cycles asks first, naming the cycles; 仍然分配 assigns."""

import pytest
from playwright.sync_api import expect

from audit_portal.testing import persona_user
from audit_portal.tests.browser.navigation import arrive
from checklist.tests.helpers import audit_of
from cycles.tests.helpers import next_cycle

pytestmark = pytest.mark.browser


def test_a_third_cycle_running_is_confirmed_before_it_is_assigned(
    browser_for, portal, seeded_transactional_db
):
    manager, auditor = persona_user("manager"), persona_user("auditor")
    audit_of("004").auditors.add(auditor)
    next_cycle(manager)
    audit_of("004", 2024).auditors.add(auditor)
    next_cycle(manager)

    page = browser_for("manager")
    page.goto(portal + "/cycles/2025/")
    expect(page.get_by_test_id("assign-rules")).to_contain_text(
        "轮换：艾稽核 已稽核 朝阳（2023、2024）"
    )
    page.get_by_label("选择 朝阳", exact=True).check()
    page.locator(".assign-auditors").get_by_label("艾稽核").check()
    page.get_by_test_id("assign").click()
    expect(page.get_by_test_id("rotation-question")).to_contain_text(
        "艾稽核 在 2023、2024 年度稽核过 朝阳。"
    )
    page.get_by_test_id("confirm-assign").click()
    arrive(page, portal + "/cycles/2025/")
    expect(page.locator('tr[data-code="004"]')).to_contain_text("艾稽核")
