"""稽核档案 in Chromium: a manager archives what may be archived, sees the 四性检测 pass,
checks again, and revokes with a reason; the page passes axe-core."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from archives.models import ArchivePackage
from audit_portal.testing import persona_user
from rectification.models import RectificationItem
from rectification.tests.helpers import finalized

from .test_accessibility import violations

pytestmark = pytest.mark.browser


def test_archive_check_and_revoke(browser_for, portal):
    audit = finalized("004", persona_user("manager"))
    RectificationItem.objects.filter(audit=audit).update(status="closed", closed_at=timezone.now())
    manager = browser_for("manager")
    manager.goto(portal + "/cycles/2023/")
    manager.get_by_test_id("archive-link").click()
    expect(manager.get_by_test_id("archive-counts")).to_contain_text("还有 1 家可以归档")
    manager.get_by_role("button", name="归档可以归档的 1 家").click()
    expect(manager.get_by_role("status").first).to_contain_text("1 个档案包正在生成")
    row = manager.get_by_test_id("package-004")
    expect(row).to_contain_text("京互稽档-2023-004")
    expect(row).to_contain_text("已归档")
    expect(row).to_contain_text("永久")
    expect(row.locator("summary").first).to_contain_text("通过")
    assert violations(manager) == []
    row.get_by_role("button", name="重新检测").click()
    expect(manager.get_by_role("status").first).to_contain_text("通过四性检测")
    # the download is the stored package
    href = (
        manager.get_by_test_id("package-004")
        .get_by_role("link", name="京互稽档-2023-004")
        .get_attribute("href")
    )
    response = manager.request.get(portal + href)
    assert response.status == 200 and response.body().startswith(b"PK")
    row = manager.get_by_test_id("package-004")
    row.get_by_text("撤销归档").click()
    row.get_by_label("理由（记入稽核记录）").fill("补充整改材料")
    row.get_by_role("button", name="撤销", exact=True).click()
    expect(manager.get_by_role("status").first).to_contain_text("已撤销归档 京互稽档-2023-004")
    expect(manager.get_by_test_id("package-004")).to_contain_text("补充整改材料")
    assert ArchivePackage.objects.get().status == "revoked"
