"""问题库 on the scoring page, in a real browser: a finding becomes a problem, the type field
appears with the suggested type, the auditor takes it, picks a typical wording into the
requirement and sees 屡查屡犯 where the agency had the same problem last year."""

import re

import pytest
from playwright.sync_api import expect

from agencies.models import Audit
from audit_portal.testing import persona_user
from checklist import problem_types
from checklist.models import Assessment, ProblemType

pytestmark = pytest.mark.browser


def _item(page, code):
    return page.locator(".assessment-item").filter(
        has=page.locator(".standard-code", has_text=re.compile(f"^{code}$"))
    )


def test_a_problem_is_typed_from_the_suggestion_and_a_wording(
    browser_for, portal, seeded_transactional_db
):
    problem_types.load()
    Audit.objects.get(agency__code="004").auditors.add(persona_user("auditor"))
    auditor = browser_for("auditor")
    auditor.goto(f"{portal}/cycles/2023/agencies/004/scoring/")
    item = _item(auditor, "3-5")
    expect(item.get_by_label("问题类型")).to_have_count(0)

    item.locator("label", has_text=re.compile("^不符合$")).click()
    expect(item.locator(".assessment-status [data-state=saved]")).to_be_visible()
    item.get_by_label("得分").fill("4")
    item.get_by_label("问题描述").fill("3笔管理费支出缺少审批签字")
    item.get_by_label("问题描述").blur()
    expect(item.locator(".assessment-status [data-state=saved]")).to_be_visible()
    # the field came with the save that made it a problem; the page asks again for the
    # suggestion from the words just typed
    auditor.reload()
    item = _item(auditor, "3-5")
    expect(item.get_by_test_id("type-suggestion")).to_contain_text("财务管理 › 审批手续不全")
    item.get_by_role("button", name="采用").click()
    expect(item.get_by_label("问题类型")).to_have_value(
        str(ProblemType.objects.get(name="审批手续不全").pk)
    )
    expect(item.get_by_label("问题类型")).to_be_focused()
    # saved: the notes follow the chosen type (no suggestion any more), focus stays
    expect(item.get_by_test_id("type-suggestion")).to_have_count(0)
    expect(item.get_by_label("问题类型")).to_be_focused()
    item.get_by_test_id("wordings").locator("summary").click()
    item.get_by_role("button", name="填入整改要求").first.click()
    expect(item.get_by_label("整改要求")).to_have_value(
        "完善支出审批流程，补齐审批签字，今后严格按审批权限办理。"
    )
    expect(item.get_by_label("整改要求")).to_be_focused()
    # it saves as typing does (after a pause)
    requirement = "完善支出审批流程，补齐审批签字，今后严格按审批权限办理。"
    for _ in range(50):
        saved = Assessment.objects.select_related("problem_type").get(
            audit__agency__code="004", standard__category__position=3, standard__number=5
        )
        if saved.rectification == requirement:
            break
        auditor.wait_for_timeout(100)
    assert saved.problem_type.name == "审批手续不全"
    assert saved.rectification == requirement
