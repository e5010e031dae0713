"""The administrator sets up a group robot in the browser: pastes the address, saves, sees it
only masked, and presses 发送测试消息 — the robot (a strict one on loopback) gets the message."""

import pytest
from playwright.sync_api import expect

from notifications.tests.robot_server import WECOM_KEY, running

pytestmark = pytest.mark.browser


@pytest.fixture
def robot_server():
    with running() as server:
        yield server


def test_the_administrator_sets_up_a_robot_and_tests_it(browser_for, portal, robot_server):
    page = browser_for("administrator")
    page.goto(f"{portal}/admin/notifications/robot/add/")
    page.get_by_label("名称").fill("办事处企业微信群")
    page.get_by_label("类型").select_option(label="企业微信群机器人")
    page.get_by_label("Webhook 地址").fill(robot_server.wecom_url())
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("办事处企业微信群")
    listing = page.locator("#result_list")
    expect(listing).to_contain_text("办事处（稽核员和管理者）")
    expect(listing).to_contain_text(f"127.0.0.1:{robot_server.server_address[1]}/…1111")
    assert WECOM_KEY not in page.content()
    listing.get_by_role("link", name="办事处企业微信群").click()
    assert WECOM_KEY not in page.content()  # the field is empty: typed, never shown
    expect(page.get_by_label("Webhook 地址")).to_have_value("")
    page.get_by_role("button", name="发送测试消息").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "测试消息已发送到“办事处企业微信群”：请到群里确认是否收到。"
    )
    [(kind, message)] = robot_server.received
    assert kind == "wecom" and "**测试消息**" in message["markdown"]["content"]
