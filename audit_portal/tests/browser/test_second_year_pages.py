"""What issue 27's second-year walk asked of the pages, in Chromium: the overview says once
which agencies lack 直投／非直投 and names its category columns, the document grid names its
columns, a finalized audit's 重新打开 is folded, the button language shows, and the security
log says in words which page a refused request asked for. axe-core checks each state."""

import pytest
from playwright.sync_api import expect

from agencies.models import AuditStatus
from audit_portal.testing import persona_user
from audit_portal.tests.browser.navigation import arrive
from rectification.tests.helpers import finalized

from .test_accessibility import violations

pytestmark = pytest.mark.browser


def test_the_overview_says_once_which_agencies_lack_a_funding_mode(browser_for, portal):
    manager = browser_for("manager")
    manager.goto(portal + "/cycles/2023/")
    banner = manager.get_by_test_id("mode-unset-banner")
    expect(banner).to_contain_text("50 个代办处尚未设置直投／非直投")
    expect(manager.get_by_text("直投／非直投未设置")).to_have_count(0)
    headings = manager.get_by_test_id("category-heading")
    expect(headings).to_have_text(["组织", "业务", "财务"])
    expect(headings.first).to_have_attribute("title", "组织机构管理")
    # one line a row: the badge that doubled each row's height is gone
    heights = manager.eval_on_selector_all(
        "table.table-roster tbody tr", "rows => rows.map(r => r.getBoundingClientRect().height)"
    )
    assert max(heights) < 1.5 * min(heights), heights
    banner.get_by_role("link", name="只看这些代办处").click()
    arrive(manager, portal + "/cycles/2023/?mode=unset")
    expect(manager.locator("table.table-roster tbody tr")).to_have_count(50)
    assert violations(manager) == []


def test_the_document_grid_names_its_columns(browser_for, portal):
    auditor = browser_for("auditor")
    auditor.goto(portal + "/cycles/2023/documents/")
    heading = auditor.get_by_test_id("document-heading-4")
    expect(heading).to_have_text("4 账簿凭证")
    assert heading.get_attribute("title").startswith("4. 2022年总账")
    missing = auditor.locator(".grid-cell.doc-missing").first
    assert missing.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
    # downloads carry their arrow, the button that sends e-mail its envelope
    for selector in (".btn-download", ".btn-sends-mail"):
        icon = auditor.locator(selector).first.evaluate(
            "e => getComputedStyle(e, '::before').maskImage || getComputedStyle(e, '::before').webkitMaskImage"
        )
        assert icon.startswith('url("data:image/svg+xml'), (selector, icon)
    assert violations(auditor) == []


def test_reopening_a_finalized_audit_is_folded_until_asked(
    browser_for, portal, seeded_transactional_db
):
    audit = finalized("004", persona_user("manager"))
    manager = browser_for("manager")
    manager.goto(portal + "/cycles/2023/agencies/004/")
    expect(manager.get_by_test_id("finalized-note")).to_contain_text("已于")
    reason = manager.get_by_label("重新打开稽核（理由将被记录）")
    expect(reason).to_be_hidden()
    manager.get_by_text("重新打开稽核……").click()
    expect(reason).to_be_visible()
    assert violations(manager) == []
    reason.fill("报告编号有误，需重新定稿")
    manager.get_by_role("button", name="重新打开", exact=True).click()
    expect(manager.locator(".alert-success")).to_be_visible()
    audit.refresh_from_db()
    assert audit.status != AuditStatus.FINALIZED


def test_the_scoring_toolbar_says_how_the_work_paper_travels(browser_for, portal):
    auditor = browser_for("auditor")
    auditor.goto(portal + "/cycles/2023/agencies/004/scoring/")
    expect(auditor.get_by_test_id("workpaper-how")).to_contain_text("下载工作底稿")
    for control in auditor.locator(".workpaper-bar .btn, .workpaper-bar label").all():
        box = control.bounding_box()
        line = control.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
        assert box["height"] < 2 * line + 16, control.inner_text()  # one line of text


def test_the_security_log_says_which_page_was_refused(browser_for, portal):
    staff = browser_for("staff004")
    staff.goto(portal + "/cycles/2023/agencies/007/documents/")
    log = browser_for("secauditor")
    log.goto(portal + "/security/events/?kind=denied")
    target = log.locator(".security-target").first
    expect(target).to_contain_text("2023 年度 · 代办处 007 · 稽核前资料")
    expect(target.locator(".security-path")).to_have_text(
        "GET /cycles/2023/agencies/007/documents/"
    )
    assert violations(log) == []
