"""A manager and agency staff meet the portal in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from audit_portal.tests.browser.navigation import arrive

pytestmark = pytest.mark.browser


def test_the_manager_signs_in_and_finds_chaoyang_004_in_the_cycle(page, portal, sign_in):
    sign_in("manager")
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    page.get_by_role("link", name="前往本年度稽核").click()

    arrive(page, f"{portal}/cycles/2023/")
    expect(page.get_by_role("heading", name="2023年度稽核")).to_be_visible()
    rows = page.locator("table.table-roster tbody tr")
    expect(rows).to_have_count(50)
    first = rows.first
    expect(first).to_contain_text("1")
    expect(first).to_contain_text("004")
    expect(first).to_contain_text("朝阳")

    first.get_by_role("link", name="朝阳").click()

    arrive(page, f"{portal}/cycles/2023/agencies/004/")
    expect(page.get_by_role("heading", name=re.compile("朝阳"))).to_be_visible()
    expect(page.locator(".standard-list li")).to_have_count(29)
    expect(page.locator(".document-list li")).to_have_count(10)


def test_agency004_sees_its_own_agency_and_cannot_open_agency_007(page, portal, sign_in):
    sign_in("staff004")
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    page.get_by_role("link", name="前往本代办处的稽核").click()

    arrive(page, f"{portal}/cycles/2023/agencies/004/")
    expect(page.get_by_role("heading", name=re.compile("朝阳"))).to_be_visible()

    response = page.goto(f"{portal}/cycles/2023/agencies/007/")

    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("怀柔")

    response = page.goto(f"{portal}/cycles/2023/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()


def test_a_wrong_password_is_explained_and_nothing_else_happens(page, portal):
    page.goto(f"{portal}/accounts/login/")
    page.get_by_label("用户名").fill("mona")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("alert")).to_contain_text("请输入一个正确的")
    arrive(page, f"{portal}/accounts/login/")


def test_the_layout_works_at_tablet_width(page, portal, sign_in):
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in("manager")
    page.goto(f"{portal}/")

    expect(page.locator("table.table-roster")).to_be_visible()
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 768, "the page scrolls sideways at tablet width"
