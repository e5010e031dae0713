"""API tokens in a real browser: a manager makes one for the OA system, sees its key once,
calls the portal's API over HTTP with it, revokes it; and reads the API's docs page (Swagger
UI, served by the portal itself under its Content-Security-Policy)."""

import pytest
import requests
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_token_is_made_used_over_http_and_revoked(browser_for, portal):
    manager = browser_for("manager")
    manager.get_by_test_id("footer-api-tokens").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("API 令牌")
    manager.get_by_label("用途").fill("OA 系统")
    manager.get_by_label("有效期（天）").fill("30")
    manager.get_by_role("button", name="生成令牌").click()
    key = manager.get_by_test_id("new-key").input_value()
    assert key.startswith("jhp_")

    me = requests.get(
        f"{portal}/api/v1/me/", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["can_write"]) == ("mona", False)

    # shown once: the list names the token by its beginning only
    manager.goto(f"{portal}/accounts/api-tokens/")
    expect(manager.get_by_test_id("new-key")).to_have_count(0)
    expect(manager.get_by_test_id("token-list")).to_contain_text("OA 系统")
    assert key not in manager.content()
    manager.get_by_role("button", name="撤销").click()
    expect(manager.get_by_role("status")).to_contain_text("已撤销")
    again = requests.get(
        f"{portal}/api/v1/me/", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert again.status_code == 401


def test_the_api_docs_are_served_by_the_portal_itself(browser_for, portal):
    manager = browser_for("manager")
    manager.goto(f"{portal}/accounts/api-tokens/")
    outside = []
    manager.on(
        "request",
        lambda request: outside.append(request.url) if not request.url.startswith(portal) else None,
    )
    manager.get_by_role("link", name="接口文档").click()
    expect(manager.locator(".swagger-ui .title")).to_contain_text("稽核管理平台 API")
    expect(manager.locator(".opblock-summary-path").first).to_be_visible()
    assert not outside, f"the docs page fetched from elsewhere: {outside}"
