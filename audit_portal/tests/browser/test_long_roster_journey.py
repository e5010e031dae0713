"""A province-sized roster in Chromium (issue 16): the overview and the document grid come a
page at a time, search by code or name, and a manager assigns an auditor to every agency
that matches, on every page."""

import pytest
from playwright.sync_api import expect

from agencies.models import Audit
from audit_portal.testing import add_to_roster, persona_user
from audit_portal.tests.browser.navigation import arrive
from cycles.services import latest_cycle

pytestmark = pytest.mark.browser


@pytest.fixture
def long_roster(seeded_transactional_db):
    add_to_roster(latest_cycle(), range(600, 750))


def test_search_pages_and_assign_all_that_match(browser_for, portal, long_roster):
    auditor = persona_user("auditor")
    page = browser_for("manager")
    page.goto(portal + "/cycles/2023/")
    expect(page.get_by_test_id("pager-count")).to_have_text("第 1–50 家，共 200 家代办处")
    expect(page.locator("tbody tr")).to_have_count(50)

    page.get_by_label("搜索").fill("测试")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_test_id("pager-count")).to_have_text("第 1–50 家，共 150 家代办处")
    page.get_by_test_id("pager").get_by_role("link", name="下一页").click()
    expect(page.get_by_test_id("pager-count")).to_have_text("第 51–100 家，共 150 家代办处")
    page.get_by_test_id("pager").get_by_role("link", name="3", exact=True).click()
    expect(page.locator('tr[data-code="749"]')).to_be_visible()
    page.get_by_test_id("per-page-100").click()
    expect(page.get_by_test_id("pager-count")).to_have_text("第 1–100 家，共 150 家代办处")
    expect(page.get_by_label("搜索")).to_have_value("测试")

    # the header box ticks the page; "all that match" is every page's
    page.get_by_test_id("check-page").check()
    expect(page.locator('input[name="audits"]:checked')).to_have_count(100)
    page.get_by_test_id("check-page").uncheck()
    expect(page.locator('input[name="audits"]:checked')).to_have_count(0)
    page.get_by_label("全部 150 家符合条件的代办处（所有页）").check()
    page.locator(".assign-auditors").get_by_label(auditor.display_name).check()
    page.get_by_test_id("assign").click()
    expect(page.locator(".alert-success")).to_contain_text("已为 150 个代办处分配稽核员。")
    # back on the page it came from, the filter and the size kept
    expect(page.get_by_test_id("pager-count")).to_have_text("第 1–100 家，共 150 家代办处")
    assert Audit.objects.filter(auditors=auditor).count() == 150
    assert not Audit.objects.filter(auditors=auditor, agency__code="004").exists()


def test_the_document_grid_searches_and_pages(browser_for, portal, long_roster):
    page = browser_for("auditor")
    page.goto(portal + "/cycles/2023/documents/")
    expect(page.get_by_test_id("count-missing")).to_have_text("未提交 2000")
    expect(page.locator("tbody tr")).to_have_count(50)
    page.get_by_role("link", name="有未提交资料的").click()
    page.get_by_label("搜索").fill("朝阳")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator('tr[data-code="004"]')).to_be_visible()
    expect(page.get_by_test_id("count-missing")).to_have_text("未提交 2000")  # the whole cycle
    arrive(page, portal + "/cycles/2023/documents/?show=missing&q=%E6%9C%9D%E9%98%B3")


def test_a_large_cycles_export_comes_from_the_worker(browser_for, portal, long_roster, settings):
    settings.EXPORT_INLINE_MAX_AGENCIES = 100  # the 200 of this roster are "large"
    page = browser_for("manager")
    page.goto(portal + "/cycles/2023/")
    page.get_by_role("link", name="稽核通报（Excel）").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("稽核通报（Excel）")
    expect(page.get_by_text("本年度代办处较多，文件在后台生成")).to_be_visible()
    expect(page.get_by_test_id("bundle-status")).to_have_text("已完成")
    with page.expect_download() as download:
        page.get_by_test_id("bundle-download").click()
    assert download.value.suggested_filename == "2023年度稽核通报.xlsx"
