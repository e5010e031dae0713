"""Agency staff upload documents; an auditor returns and accepts them; nobody else sees them."""

import pytest
from playwright.sync_api import expect

from agencies.models import Audit
from audit_portal.testing import persona_user
from evidence.models import DocumentStatus, EvidenceFile
from evidence.tests import samples

pytestmark = pytest.mark.browser

DOCS = "/cycles/2023/agencies/004/documents/"


@pytest.fixture(autouse=True)
def empty_store():
    yield
    from evidence.models import evidence_storage

    for file in EvidenceFile.objects.all():
        evidence_storage().delete(file.key)


def _section(page, number):
    return page.locator(f"section.document-item[data-number='{number}']")


def test_upload_return_upload_again_accept(browser_for, portal, seeded_transactional_db):
    Audit.objects.get(agency__code="004").auditors.add(persona_user("auditor"))

    staff = browser_for("staff004")
    staff.goto(portal + DOCS)
    first = _section(staff, 1)
    first.locator("input[type=file]").set_input_files(
        [
            {"name": "管理制度.pdf", "mimeType": "application/pdf", "buffer": samples.PDF},
            {
                "name": "内控制度.docx",
                "mimeType": "application/octet-stream",
                "buffer": samples.DOCX,
            },
        ]
    )
    progress = first.locator(".upload-progress li")
    expect(progress).to_have_count(2)
    expect(progress.locator("progress")).to_have_count(2)
    expect(first.locator(".upload-progress li[data-state=done]")).to_have_count(2)
    expect(first.get_by_test_id("status-1")).to_have_text("已提交")
    expect(first.locator(".document-files li")).to_have_count(2)

    bad = _section(staff, 2)
    long_name = "二〇二三年度互助保障业务内部审计整改情况报告（第一稿）.pdf"
    bad.locator("input[type=file]").set_input_files(
        [{"name": long_name, "mimeType": "application/pdf", "buffer": samples.EXE}]
    )
    refused = bad.locator(".upload-progress li[data-state=failed]")
    expect(refused).to_contain_text("并不是真正的 PDF 文件")
    # the row keeps the whole name, turns red and shows no (full, green) progress bar
    expect(refused.locator(".upload-name")).to_have_text(long_name)
    expect(refused.locator("progress")).to_be_hidden()
    name_box = refused.locator(".upload-name").bounding_box()
    assert name_box["width"] > 200
    assert "rgb(176, 42, 55)" in refused.evaluate("e => getComputedStyle(e).color")

    # a name over 150 characters is stored shortened, and the uploader is told so
    very_long = "关于" + "互助保障" * 40 + "的说明.pdf"
    bad.locator("input[type=file]").set_input_files(
        [{"name": very_long, "mimeType": "application/pdf", "buffer": samples.PDF}]
    )
    stored = EvidenceFile.objects.order_by("-pk").first
    shortened = bad.locator(".upload-progress li[data-state=done]")
    expect(shortened).to_contain_text("文件名过长，已缩短保存为")
    assert len(stored().original_name) <= 150
    expect(shortened).to_contain_text(stored().original_name)

    auditor = browser_for("auditor")
    auditor.goto(portal + DOCS)
    item = _section(auditor, 1)
    item.get_by_text("退回补充", exact=True).click()
    item.get_by_label("缺少或有误的内容（代办处可以看到）").fill("内控制度缺少签章页")
    item.get_by_role("button", name="退回").click()
    expect(auditor.locator(".alert-success")).to_contain_text("已退回")

    staff.reload()
    first = _section(staff, 1)
    expect(first.get_by_test_id("status-1")).to_have_text("退回补充")
    expect(first).to_contain_text("内控制度缺少签章页")
    first.locator("input[type=file]").set_input_files(
        [
            {
                "name": "内控制度（含签章）.pdf",
                "mimeType": "application/pdf",
                "buffer": samples.PDF + b"signed",
            }
        ]
    )
    expect(first.locator(".upload-progress li[data-state=done]")).to_have_count(1)
    expect(first.get_by_test_id("status-1")).to_have_text("已提交")

    auditor.reload()
    _section(auditor, 1).locator("input[name=documents]").check()
    auditor.get_by_role("button", name="接收勾选的资料").click()
    expect(auditor.locator(".alert-success")).to_contain_text("已接收 1 项资料")
    assert (
        Audit.objects.get(agency__code="004").document_requests.get(document__number=1).status
        == DocumentStatus.ACCEPTED
    )

    other = browser_for("staff007")
    response = other.goto(portal + DOCS)
    assert response.status == 404
    expect(other.locator("body")).not_to_contain_text("管理制度.pdf")
    file = EvidenceFile.objects.first()
    response = other.goto(f"{portal}/cycles/2023/agencies/004/files/{file.pk}/")
    assert response.status == 404
