"""工作台 in Chromium: signing in lands on it, the top bar counts what waits, and each line
leads to the work."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit_portal.testing import PERSONA_PASSWORD, persona_user
from audit_portal.tests.browser.navigation import arrive
from rectification.models import RectificationItem
from rectification.tests.helpers import finalized, item_of

pytestmark = pytest.mark.browser


def test_staff_land_on_their_work_and_follow_a_line_to_it(page, portal, seeded_transactional_db):
    audit = finalized("004", persona_user("manager"))
    late = item_of(audit, "2-3")
    RectificationItem.objects.filter(pk=late.pk).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )
    page.goto(portal + "/accounts/login/")
    page.get_by_label("用户名").fill(persona_user("staff004").username)
    page.get_by_label("密码").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="登录").click()
    arrive(page, portal + "/workbench/")
    expect(page.get_by_test_id("waiting")).to_have_text("您有 3 项待办。")
    expect(page.get_by_test_id("nav-workbench")).to_contain_text("3")
    section = page.get_by_test_id("section-rectify")
    expect(section.locator("li")).to_have_count(3)
    expect(section.locator("li").filter(has_text="2-3")).to_contain_text("逾期")
    section.get_by_role("link", name="2-3", exact=False).click()
    expect(page.get_by_test_id("item-overdue")).to_be_visible()
    expect(page.get_by_role("heading", name="整改项 2-3")).to_be_visible()
