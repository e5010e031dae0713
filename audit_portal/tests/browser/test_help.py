"""操作手册 in a real browser: from the page they are on, a person opens the part of the
manual that explains it, moves to another chapter and takes the whole manual as a PDF."""

import pytest
from playwright.sync_api import expect

from audit_portal.tests.browser.navigation import arrive

pytestmark = pytest.mark.browser


def test_the_help_link_opens_the_section_that_explains_the_page(browser_for, portal):
    auditor = browser_for("assigned")
    auditor.goto(f"{portal}/cycles/2023/agencies/004/scoring/")
    auditor.get_by_test_id("nav-help").click()
    arrive(auditor, f"{portal}/help/auditor/#scoring")
    section = auditor.get_by_role("heading", name="在线评分", exact=True)
    expect(section).to_be_in_viewport()
    expect(auditor.locator("img.manual-shot[src='/static/manual/scoring.png']")).to_be_visible()

    # the chapters' own links: to another chapter's section, and the table of contents
    chapter = auditor.get_by_test_id("manual-chapter")
    chapter.get_by_role("link", name="工作台", exact=True).first.click()
    arrive(auditor, f"{portal}/help/basics/#workbench")
    auditor.get_by_role("link", name="操作手册", exact=True).click()
    expect(auditor.get_by_test_id("manual-chapters").locator("h2").first).to_have_text(
        "稽核员操作指南 您的角色"
    )
    with auditor.expect_download() as download:
        auditor.get_by_test_id("manual-pdf").click()
    assert download.value.suggested_filename == "稽核管理平台操作手册.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_agency_staff_are_sent_to_their_own_chapter(browser_for, portal):
    staff = browser_for("staff004")
    staff.goto(f"{portal}/cycles/2023/agencies/004/documents/")
    staff.get_by_test_id("nav-help").click()
    arrive(staff, f"{portal}/help/agency/#documents")
    expect(staff.get_by_role("heading", name="上传稽核前资料", exact=True)).to_be_in_viewport()
