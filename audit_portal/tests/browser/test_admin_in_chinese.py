"""The admin's scripted widgets speak Chinese in the browser too (Django's JavaScript
catalogue), and the export page lists the columns by their Chinese headers."""

import re

import pytest
from playwright.sync_api import expect

from agencies.models import Audit

pytestmark = pytest.mark.browser


def test_the_admin_widgets_and_export_page_read_in_chinese(browser_for, portal):
    page = browser_for("administrator")
    audit = Audit.objects.get(agency__code="004")
    page.goto(f"{portal}/admin/agencies/audit/{audit.pk}/change/")
    selector = page.locator(".selector")
    expect(selector).to_contain_text("选择全部稽核员")
    expect(selector).to_contain_text("删除全部稽核员")
    assert not set(re.findall(r"[A-Za-z]{3,}", selector.inner_text())), selector.inner_text()
    expect(page.locator(".field-scores_by_category")).to_be_visible()

    page.goto(f"{portal}/admin/agencies/agency/export/")
    expect(page.locator("#content form")).to_contain_text("编码 名称 直投／非直投 启用")
    expect(page.get_by_text("全选")).to_be_visible()
    assert "Code (" not in page.content()
