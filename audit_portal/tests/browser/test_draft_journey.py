"""征求意见稿 in Chromium: a manager sends it, the agency's staff object to a problem with a
proof file and submit, the auditor adopts the objection and changes the score, the manager
finalizes; each page passes axe-core."""

import pytest
from playwright.sync_api import expect

from agencies.models import Cycle
from audit_portal.testing import persona_user
from checklist.services import submit_audit
from checklist.tests.helpers import audit_of, score_everything
from reports.models import IssuedReport
from reports.tests.helpers import pdf_text

from .test_accessibility import violations

pytestmark = pytest.mark.browser


def test_send_reply_answer_and_finalize(browser_for, portal, tmp_path):
    manager_user = persona_user("manager")
    Cycle.objects.filter(year=2023).update(draft_step=True)
    audit = audit_of("004")
    audit.auditors.add(persona_user("assigned"))
    score_everything(audit, manager_user, shortfalls=("1-2", "2-3"))
    submit_audit(audit=audit, by=manager_user)

    manager = browser_for("manager")
    manager.goto(portal + "/cycles/2023/agencies/004/")
    expect(manager.get_by_test_id("draft-first")).to_contain_text("定稿前须先征求代办处书面意见")
    manager.get_by_test_id("draft-first").get_by_role("link").click()
    manager.get_by_role("button", name="发送征求意见稿").click()
    expect(manager.get_by_role("status").first).to_contain_text(
        "已向朝阳发出征求意见稿 稽核征〔2023〕004号"
    )
    expect(manager.get_by_test_id("draft-reply-status")).to_contain_text("等待代办处反馈")

    staff = browser_for("staff004")
    staff.goto(portal + "/workbench/")
    staff.get_by_test_id("section-reply").get_by_role("link").click()
    assert violations(staff) == []
    problem = staff.get_by_test_id("problem-1-2")
    problem.get_by_role("radio", name="有异议").check()
    problem.get_by_label("说明（有异议时填写）").fill("制度已于2023年6月修订，见附件")
    proof = tmp_path / "修订后的制度.pdf"
    proof.write_bytes(b"%PDF-1.4 revised")
    problem.get_by_label("佐证材料").set_input_files(str(proof))
    staff.get_by_role("button", name="提交反馈").click()
    # 2-3 has no opinion yet: said, and what was typed is kept
    expect(staff.get_by_role("status").first).to_contain_text("请对 2-3 选择“无异议”或“有异议”")
    expect(staff.get_by_test_id("problem-1-2").get_by_label("说明（有异议时填写）")).to_have_value(
        "制度已于2023年6月修订，见附件"
    )
    staff.get_by_test_id("problem-2-3").get_by_role("radio", name="无异议").check()
    staff.get_by_role("button", name="提交反馈").click()
    expect(staff.get_by_role("status").first).to_contain_text("反馈已提交")
    expect(staff.get_by_test_id("problem-1-2")).to_contain_text("修订后的制度.pdf")

    auditor = browser_for("assigned")
    auditor.goto(portal + "/workbench/")
    auditor.get_by_test_id("section-objections").get_by_role("link").click()
    assert violations(auditor) == []
    form = auditor.get_by_test_id("answer-1-2")
    form.get_by_label("答复意见").select_option(label="采纳")
    form.get_by_label("理由（载入正式报告）").fill("修订后的制度已核实")
    form.get_by_label("按采纳意见修改该标准的评分（修改记录注明“征求意见”）").check()
    form.get_by_label("结果").select_option(label="符合")
    form.get_by_label("得分").fill("")
    form.get_by_label("问题描述").fill("")
    form.get_by_label("整改要求").fill("")
    form.get_by_role("button", name="记录答复").click()
    expect(auditor.get_by_role("status").first).to_contain_text("已记录对 1-2 的答复")
    expect(auditor.get_by_test_id("problem-1-2").get_by_test_id("decision")).to_contain_text("采纳")

    manager.goto(portal + "/cycles/2023/agencies/004/")
    manager.locator("#finalize-form").get_by_role("button").click()
    manager.get_by_role("dialog").get_by_role("button", name="定稿并出具", exact=False).click()
    expect(manager.get_by_role("status").first).to_contain_text("稽核〔2023〕004号")
    text = pdf_text(bytes(IssuedReport.objects.get().content)).replace("\n", "")
    assert "被稽核单位反馈意见及采纳情况" in text and "修订后的制度已核实" in text
