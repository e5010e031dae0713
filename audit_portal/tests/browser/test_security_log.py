"""The security auditor reads the security log in a real browser: a refused request shows
up, and the filters narrow it down."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_security_auditor_finds_a_refused_request_in_the_security_log(browser_for, portal):
    staff = browser_for("staff004")
    staff.goto(f"{portal}/cycles/2023/agencies/007/")  # 怀柔's audit: not theirs
    expect(staff.get_by_role("heading", level=1)).to_have_text("页面不存在")

    manager = browser_for("secauditor")  # the log is their start page
    expect(manager.get_by_role("heading", level=1)).to_have_text("安全日志")
    table = manager.get_by_test_id("security-events")
    expect(table).to_contain_text("sue")  # the security auditor's own sign-in
    expect(table).to_contain_text("/cycles/2023/agencies/007/")

    manager.get_by_label("事件").select_option(label="请求被拒绝")
    manager.get_by_label("用户名").fill("chaoyang")
    manager.get_by_role("button", name="筛选").click()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("请求被拒绝")
    expect(rows.first).to_contain_text("404")
    expect(rows.first).to_contain_text("127.0.0.1")


@pytest.mark.parametrize("persona", ["auditor", "manager"])
def test_the_log_is_not_offered_to_others(browser_for, portal, persona):
    other = browser_for(persona)
    expect(other.get_by_role("link", name="安全日志")).to_have_count(0)
    response = other.goto(f"{portal}/security/events/")
    assert response.status == 403
