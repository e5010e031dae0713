"""自查自评 in Chromium: the agency's staff fill in a standard with a file cited (saved as
they type), submit the self-assessment, and the auditor sees it beside the scoring with the
difference in points; the finalized report sets both side by side."""

import re

import pytest
from playwright.sync_api import expect

from audit_portal.testing import persona_user
from audit_portal.tests.browser.navigation import arrive
from checklist.models import Result
from checklist.tests.helpers import audit_of, save, score_everything
from evidence.models import RequiredDocument
from evidence.services import store_bytes
from evidence.tests import samples
from reports.services import finalize_and_issue
from reports.tests.helpers import pdf_text
from selfassessment.tests.helpers import fill_everything

pytestmark = pytest.mark.browser

PAGE = "/cycles/2023/agencies/004/self-assessment/"


def _item(page, code):
    return page.locator(".assessment-item").filter(
        has=page.locator(".standard-code", has_text=re.compile(f"^{code}$"))
    )


def test_the_agency_submits_its_self_assessment_and_the_auditor_sees_it_beside_the_scoring(
    browser_for, portal, seeded_transactional_db
):
    audit = audit_of("004")
    staff, assigned = persona_user("staff004"), persona_user("assigned")
    audit.auditors.add(assigned)
    store_bytes(
        audit=audit,
        document=RequiredDocument.objects.get(cycle=audit.cycle, number=1),
        name="2023年自查会议记录.pdf",
        content=samples.PDF,
        by=staff,
    )
    # every standard filled in beforehand (符合); 1-2 is changed in the browser
    fill_everything(audit, staff)

    agency = browser_for("staff004")
    agency.goto(portal + "/cycles/2023/agencies/004/")
    agency.get_by_test_id("self-assessment-open").click()
    arrive(agency, portal + PAGE)
    item = _item(agency, "1-2")
    item.locator("label", has_text=re.compile("^基本符合$")).click()
    item.get_by_label("得分").fill("8")
    item.get_by_label("自查情况").fill("分管领导听取汇报的记录缺少两次")
    item.get_by_text("引用的文件").click()
    item.get_by_label("2023年自查会议记录.pdf").check()
    expect(item.locator(".assessment-status [data-state=saved]")).to_be_visible()
    agency.reload()
    item = _item(agency, "1-2")
    expect(item.get_by_label("自查情况")).to_have_value("分管领导听取汇报的记录缺少两次")
    expect(item.get_by_label("2023年自查会议记录.pdf")).to_be_checked()

    agency.get_by_role("button", name="提交自评").click()
    expect(agency.locator(".alert-success")).to_contain_text("自评已提交")
    expect(agency.get_by_test_id("self-status")).to_have_text("已提交")
    expect(_item(agency, "1-2").get_by_label("自查情况")).to_be_disabled()

    # the auditor scores 1-2 lower than the agency did and sees the difference
    score_everything(audit_of("004"), assigned, shortfalls={"1-2"})  # 不符合, 4 points
    auditor = browser_for("assigned")
    auditor.goto(portal + "/cycles/2023/agencies/004/scoring/")
    box = auditor.get_by_test_id("self-box-1-2")
    expect(box).to_contain_text("基本符合")
    expect(box).to_contain_text("分管领导听取汇报的记录缺少两次")
    expect(box.get_by_test_id("self-difference")).to_have_text("自评高 4 分")
    expect(box.get_by_role("link", name="2023年自查会议记录.pdf")).to_be_visible()
    scored = _item(auditor, "1-2")
    scored.get_by_label("得分").fill("6")
    scored.get_by_label("得分").blur()
    expect(box.get_by_test_id("self-difference")).to_have_text("自评高 2 分")

    # the agency still sees its own self-assessment only, never the auditor's points
    agency.goto(portal + PAGE)
    expect(agency.locator("body")).not_to_contain_text("1-2 的问题")

    save(
        audit_of("004"),
        "1-2",
        assigned,
        result=Result.NON_COMPLIANT,
        points="6",
        finding="记录不全",
    )
    from checklist.services import submit_audit

    submit_audit(audit=audit_of("004"), by=assigned)
    issued = finalize_and_issue(audit=audit_of("004"), by=persona_user("manager"))
    text = re.sub(r"\s+", "", pdf_text(bytes(issued.content)))
    assert "1-2基本符合8.0不符合6.0+2.0" in text
