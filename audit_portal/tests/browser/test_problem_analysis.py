"""问题库 analysis in a real browser: the office opens it from the menu, narrows it to one
problem type, reads the recurring problems and takes the Excel."""

import pytest
from playwright.sync_api import expect

from audit_portal.tests.browser.navigation import arrive
from checklist.models import ProblemType
from problems.tests.test_analysis import history  # noqa: F401 (the two cycles of problems)

pytestmark = pytest.mark.browser


def test_the_office_reads_and_narrows_the_analysis(browser_for, portal, history):  # noqa: F811
    manager = browser_for("manager")
    manager.get_by_test_id("nav-problems").click()
    arrive(manager, f"{portal}/problems/")
    expect(manager.get_by_role("heading", level=1)).to_have_text("问题库：历年稽核发现的问题")
    expect(manager.get_by_test_id("problem-totals")).to_contain_text(
        "共 7 个问题，其中屡查屡犯 2 个"
    )
    expect(manager.locator("svg.problem-chart")).to_have_count(2)
    expect(manager.get_by_test_id("heat-map").locator("tbody tr")).to_have_count(2)
    expect(manager.get_by_test_id("recurring-problems").locator("tbody tr")).to_have_count(2)

    manager.get_by_label("问题类型", exact=True).select_option(
        str(ProblemType.objects.get(name="审批手续不全").pk)
    )
    manager.get_by_role("button", name="显示").click()
    expect(manager.get_by_test_id("problem-totals")).to_contain_text(
        "共 2 个问题，其中屡查屡犯 1 个"
    )
    expect(manager.get_by_test_id("recurring-problems")).to_contain_text("财务管理 › 审批手续不全")

    with manager.expect_download() as download:
        manager.get_by_test_id("problems-xlsx").click()
    assert download.value.suggested_filename == "问题库分析.xlsx"
