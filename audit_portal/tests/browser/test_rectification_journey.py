"""The rectification loop in Chromium: staff answer with a proof file, the auditor returns
it, staff answer again, the auditor closes it (销号); a manager moves a deadline."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit_portal.testing import persona_user
from evidence.models import EvidenceFile
from evidence.tests import samples
from rectification.models import ItemStatus, RectificationItem
from rectification.tests.helpers import finalized, item_of

pytestmark = pytest.mark.browser

LIST = "/cycles/2023/agencies/004/rectification/"


@pytest.fixture
def audit(seeded_transactional_db):
    audit = finalized("004", persona_user("manager"))
    audit.auditors.add(persona_user("assigned"))
    yield audit
    from evidence.models import evidence_storage

    for file in EvidenceFile.objects.all():
        evidence_storage().delete(file.key)


def test_answer_return_answer_again_close(browser_for, portal, audit):
    item = item_of(audit, "1-2")
    staff = browser_for("staff004")
    staff.goto(portal + "/cycles/2023/agencies/004/")
    expect(staff.get_by_test_id("rectification")).to_contain_text("共 3 项，已销号 0 项")
    staff.get_by_role("link", name="填报整改情况").click()
    expect(staff.get_by_test_id("status-1-2")).to_have_text("待整改")
    staff.get_by_role("link", name="1-2 的问题").click()

    staff.locator("#proof-files").set_input_files(
        [{"name": "汇报会议记录.pdf", "mimeType": "application/pdf", "buffer": samples.PDF}]
    )
    staff.get_by_role("button", name="上传", exact=True).click()
    expect(staff.get_by_role("status")).to_contain_text("已上传 1 个文件。")
    expect(staff.get_by_test_id("proofs")).to_contain_text("汇报会议记录.pdf")

    # submitting without the person responsible: refused, nothing typed is lost
    staff.get_by_label("整改措施").fill("建立季度汇报制度，会议记录由分管领导签字。")
    staff.get_by_label("完成时间").fill(timezone.localdate().isoformat())
    staff.get_by_role("button", name="提交核验").click()
    expect(staff.get_by_test_id("item-error")).to_have_text("请先填写责任人，再提交。")
    expect(staff.get_by_label("整改措施")).to_have_value(
        "建立季度汇报制度，会议记录由分管领导签字。"
    )
    staff.get_by_label("责任人").fill("刘明")
    staff.get_by_role("button", name="提交核验").click()
    expect(staff.get_by_test_id("item-status")).to_have_text("已提交")
    expect(staff.get_by_test_id("answer")).to_contain_text("刘明")

    auditor = browser_for("assigned")
    auditor.goto(portal + LIST + f"{item.pk}/")
    expect(auditor.get_by_test_id("answer")).to_contain_text("建立季度汇报制度")
    with auditor.expect_download() as download:
        auditor.get_by_role("link", name="汇报会议记录.pdf").click()
    assert download.value.suggested_filename == "汇报会议记录.pdf"
    auditor.get_by_label("退回代办处：缺少什么或有何问题（代办处可见）").fill(
        "请补充第二季度会议记录。"
    )
    auditor.get_by_role("button", name="退回", exact=True).click()
    expect(auditor.get_by_test_id("item-status")).to_have_text("退回")

    staff.goto(portal + LIST + f"{item.pk}/")
    expect(staff.get_by_test_id("return-reason")).to_contain_text("请补充第二季度会议记录。")
    staff.get_by_label("整改措施").fill("已补充第二季度会议记录，并建立季度汇报制度。")
    staff.get_by_role("button", name="提交核验").click()
    expect(staff.get_by_test_id("item-status")).to_have_text("已提交")

    auditor.goto(portal + LIST)
    auditor.get_by_label("选择整改项 1-2").check()
    auditor.get_by_role("button", name="将勾选的已提交项销号").click()
    expect(auditor.get_by_role("status")).to_contain_text("已销号 1 项。")
    expect(auditor.get_by_test_id("status-1-2")).to_have_text("已销号")
    expect(auditor.get_by_test_id("rectification-progress")).to_contain_text(
        "共 3 项，已销号 1 项（33%）"
    )

    staff.goto(portal + LIST + f"{item.pk}/")
    expect(staff.get_by_role("button", name="提交核验")).to_have_count(0)
    events = staff.get_by_test_id("item-events")
    for step in ("定稿时生成", "上传整改佐证材料", "提交", "退回", "销号"):
        expect(events).to_contain_text(step)
    assert RectificationItem.objects.get(pk=item.pk).status == ItemStatus.CLOSED

    manager = browser_for("manager")
    manager.goto(portal + "/cycles/2023/")
    manager.get_by_role("link", name="整改台账").click()
    expect(manager.get_by_test_id("agency-progress")).to_contain_text("33%")
    manager.get_by_label("状态").select_option("closed")
    manager.get_by_role("button", name="筛选").click()
    expect(manager.get_by_test_id("ledger").locator("tbody tr")).to_have_count(1)
    with manager.expect_download() as download:
        manager.get_by_test_id("ledger-xlsx").click()
    assert download.value.suggested_filename == "2023年度整改台账.xlsx"

    manager.goto(portal + LIST)
    link = manager.get_by_role("link", name="当前整改进度（PDF）")
    report = manager.request.get(portal + link.get_attribute("href"))
    assert report.ok and report.headers["content-type"] == "application/pdf"
    assert report.body().startswith(b"%PDF")


def test_a_manager_moves_the_deadline_of_the_ticked_items(browser_for, portal, audit):
    manager = browser_for("manager")
    manager.goto(portal + LIST)
    manager.get_by_label("选择整改项 2-3").check()
    manager.get_by_label("选择整改项 3-5").check()
    manager.get_by_text("调整勾选项的整改期限").click()
    new = timezone.localdate() + timedelta(days=60)
    manager.get_by_label("新的整改期限").fill(new.isoformat())
    manager.get_by_label("原因（记入每一项的记录）").fill("代办处搬迁，延期两个月")
    manager.get_by_role("button", name="调整整改期限").click()
    expect(manager.get_by_role("status")).to_contain_text(
        f"已将 2 项的整改期限调整为 {new.isoformat()}。"
    )
    assert sorted(RectificationItem.objects.values_list("deadline", flat=True))[1:] == [new, new]


def test_staff_ask_for_more_time_and_a_manager_grants_it(browser_for, portal, audit):
    item = item_of(audit, "3-5")
    proposed = item.deadline + timedelta(days=30)
    staff = browser_for("staff004")
    staff.goto(portal + LIST + f"{item.pk}/")
    staff.get_by_text("申请延期", exact=True).click()
    staff.get_by_label("申请延期至").fill(proposed.isoformat())
    staff.get_by_label("延期原因").fill("负责财务的同事调岗，需重新整理凭证")
    staff.get_by_role("button", name="提交申请").click()
    expect(staff.get_by_role("status")).to_contain_text("延期申请已提交")
    expect(staff.get_by_test_id("extensions")).to_contain_text("待审批")

    manager = browser_for("manager")
    manager.goto(portal + LIST)
    expect(manager.get_by_test_id("extension-3-5")).to_have_text("延期申请中")
    manager.get_by_role("link", name="3-5 的问题").click()
    manager.get_by_role("button", name="同意延期").click()
    expect(manager.get_by_test_id("item-deadline")).to_have_text(proposed.isoformat())
    expect(manager.get_by_test_id("extensions")).to_contain_text("已同意")
