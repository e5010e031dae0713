"""The second year in Chromium: a manager starts 2024 from 2023 (a document renamed, an
agency left out and one added), and the auditor of an agency with an open 2023 problem sees
it beside its standard while scoring 2024, and closes it there."""

import pytest
from playwright.sync_api import expect

from agencies.models import Cycle
from audit_portal.testing import persona_user
from audit_portal.tests.browser.navigation import arrive
from checklist.models import Standard
from rectification.models import ItemStatus
from rectification.tests.helpers import finalized, item_of

from .test_accessibility import violations

pytestmark = pytest.mark.browser


def test_a_manager_starts_2024_and_the_auditor_meets_last_years_problem(
    browser_for, portal, seeded_transactional_db
):
    audit = finalized("004", persona_user("manager"))
    manager = browser_for("manager")
    manager.goto(portal + "/cycles/")
    manager.get_by_test_id("start-next-cycle").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("从 2023年度稽核 开始下一年度")
    expect(manager.get_by_label("年度", exact=True)).to_have_value("2024")
    document = manager.get_by_label("4.", exact=True)
    expect(document).to_have_value("2023年总账、明细账及现金、银行存款日记账和全年会计凭证")
    document.fill("2023年总账、明细账及电子账套")
    roster = manager.get_by_test_id("roster")
    lines = roster.input_value().splitlines()
    kept = [line for line in lines if not line.startswith("007 ")]
    roster.fill("\n".join([*kept, "901 新区代办处 直投"]))
    manager.get_by_test_id("preview-cycle").click()

    differences = manager.get_by_test_id("differences")
    expect(differences).to_contain_text("新增：901 新区代办处")
    expect(differences).to_contain_text("移出：007 怀柔")
    expect(differences).to_contain_text("资料 4 改名：")
    expect(differences).to_contain_text("2023年总账、明细账及电子账套")

    # 3-2 names 2023, the year its accounting changed over: the manager keeps it as written
    years = manager.get_by_test_id("year-choices")
    standard = years.locator("fieldset", has_text="标准 3-2")
    expect(standard.get_by_label("年份顺延")).to_be_checked()
    expect(standard).to_contain_text(
        "2024 年度：按照《中国职工保险互助会北京办事处代办处会计核算办法（暂行）》的规定进行核算。2024年会计核算"
    )
    standard.get_by_label("保持上年原文").check()
    years.get_by_test_id("update-preview").click()
    standard = manager.get_by_test_id("year-choices").locator("fieldset", has_text="标准 3-2")
    expect(standard.get_by_label("保持上年原文")).to_be_checked()
    expect(standard).to_contain_text(
        "2024 年度：按照《中国职工保险互助会北京办事处代办处会计核算办法（暂行）》的规定进行核算。2023年会计核算"
    )
    assert violations(manager) == []
    manager.get_by_test_id("create-cycle").click()
    arrive(manager, portal + "/cycles/2024/")
    expect(manager.locator(".alert-success")).to_contain_text("已创建 2024年度稽核，共 50 个代办处")
    cycle = Cycle.objects.get(year=2024)
    assert cycle.previous.year == 2023
    kept = Standard.objects.get(category__cycle=cycle, category__position=3, number=2)
    assert kept.text == kept.previous.text and "2023年会计核算" in kept.text

    # the manager assigns the auditor to 朝阳 in 2024 on the overview
    manager.get_by_label("选择 朝阳", exact=True).check()
    manager.locator(".assign-auditors").get_by_label("艾稽核").check()
    manager.get_by_test_id("assign").click()
    expect(manager.locator(".alert-success")).to_be_visible()

    auditor = browser_for("auditor")
    auditor.goto(portal + "/workbench/")
    carried = auditor.get_by_test_id("section-carried")
    expect(carried).to_contain_text("2024 朝阳（004）：上年 3 项未销号")
    carried.get_by_role("link").first.click()
    arrive(auditor, portal + "/cycles/2024/agencies/004/scoring/")
    problem = auditor.get_by_test_id("carried-2-3")
    expect(problem).to_contain_text("上年问题（未销号）：")
    expect(problem).to_contain_text("2023 年度 标准 2-3")
    problem.get_by_text("现场核实后销号").click()
    problem.get_by_label("核实情况（记入该项记录）").fill("现场查看了新的内控制度")
    problem.get_by_role("button", name="销号").click()
    expect(auditor.locator(".alert-success")).to_contain_text("上年问题 2-3 已销号")
    expect(auditor.get_by_test_id("carried-2-3")).to_have_count(0)
    expect(auditor.get_by_test_id("carried-1-2")).to_be_visible()
    assert item_of(audit, "2-3").status == ItemStatus.CLOSED
