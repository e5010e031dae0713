"""等保 level 3 in a real browser: a manager sets up the second factor from the QR code's
key on the page and later signs in with a recovery code; the security administrator
changes a role and the security auditor finds it in the log and exports it; a password
set by someone else is changed at the first sign-in."""

import re
from base64 import b32decode

import pytest
import segno
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import User
from audit_portal.testing import PERSONA_PASSWORD
from audit_portal.tests.browser.navigation import arrive

pytestmark = pytest.mark.browser


def password_step(page, portal, username, password=PERSONA_PASSWORD):
    page.goto(f"{portal}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_a_manager_sets_up_the_second_factor_and_later_uses_a_recovery_code(page, portal):
    password_step(page, portal, "mona")
    page.wait_for_url(f"{portal}/accounts/two-factor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("设置动态口令")
    qr = page.get_by_test_id("totp-qr")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")  # drawn by the portal
    # the phone: the key as the page shows it for typing in, grouped by four
    shown = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    key = b32decode(shown + "=" * (-len(shown) % 8))
    # and the QR code carries that very key, in the otpauth:// form authenticator apps read
    device = TOTPDevice.objects.get(user__username="mona", confirmed=False)
    assert device.bin_key == key
    assert f"secret={shown}" in device.config_url and "issuer=" in device.config_url
    assert qr.get_attribute("src") == segno.make(device.config_url, error="m").svg_data_uri(
        scale=5, border=2
    )
    # other pages are closed until the code is confirmed
    page.goto(f"{portal}/cycles/")
    page.wait_for_url(f"{portal}/accounts/two-factor/")
    page.get_by_label("动态口令").fill("000000")
    page.get_by_role("button", name="确认").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("动态口令不正确")
    page.get_by_label("动态口令").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="确认").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("动态口令已设置")
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="我已保存好，继续").click()
    page.wait_for_url(f"{portal}/workbench/")
    page.get_by_role("button", name="退出").click()

    password_step(page, portal, "mona")
    page.wait_for_url(f"{portal}/accounts/two-factor/verify/")
    page.get_by_label("动态口令").fill(codes[0])
    page.get_by_role("button", name="确认").click()
    page.wait_for_url(f"{portal}/workbench/")
    expect(page.locator(".portal-messages")).to_contain_text("还剩 9 个")
    page.get_by_role("button", name="退出").click()
    # the same recovery code does not work twice
    password_step(page, portal, "mona")
    page.get_by_label("动态口令").fill(codes[0])
    page.get_by_role("button", name="确认").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("动态口令不正确")


def test_a_role_change_reaches_the_security_log_and_its_export(browser_for, portal):
    secadmin = browser_for("secadmin")
    expect(secadmin.get_by_role("heading", level=1)).to_have_text("账号管理")
    secadmin.get_by_label("搜索").fill("alice")
    secadmin.get_by_role("button", name="筛选").click()
    secadmin.get_by_test_id("account-alice").get_by_role("link", name="alice").click()
    secadmin.get_by_label("新角色").select_option(label="办事处管理者")
    secadmin.get_by_role("button", name="修改角色").click()
    expect(secadmin.locator(".portal-messages")).to_contain_text(
        "alice 的角色已由“稽核员”改为“办事处管理者”"
    )
    # 安全设置: a day count out of range is refused on the page, a good one saved
    secadmin.get_by_role("link", name="安全设置").click()
    secadmin.get_by_label("密码有效期（天）").fill("9999")
    secadmin.get_by_role("button", name="保存").click()
    expect(secadmin.locator(".portal-messages")).to_contain_text("设置未保存")
    secadmin.get_by_label("密码有效期（天）").fill("60")
    secadmin.get_by_role("button", name="保存").click()
    expect(secadmin.locator(".portal-messages")).to_contain_text("安全设置已保存")
    expect(secadmin.get_by_label("密码有效期（天）")).to_have_value("60")
    # the own account: the page says why nothing can be changed there
    sam = User.objects.get(username="sam")
    secadmin.goto(f"{portal}/security/accounts/{sam.pk}/")
    expect(secadmin.get_by_test_id("own-account")).to_be_visible()
    expect(secadmin.get_by_role("button", name="修改角色")).to_have_count(0)

    auditor = browser_for("secauditor")
    auditor.get_by_label("事件").select_option(label="修改角色")
    auditor.get_by_role("button", name="筛选").click()
    rows = auditor.get_by_test_id("security-events").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("sam")
    expect(rows.first).to_contain_text("稽核员 → 办事处管理者")
    auditor.get_by_label("事件").select_option(label="修改安全设置")
    auditor.get_by_role("button", name="筛选").click()
    expect(rows.first).to_contain_text("密码有效期（天）: 90 → 60")
    with auditor.expect_download() as download:
        auditor.get_by_test_id("export-xlsx").click()
    assert re.fullmatch(r"security-log-\d{8}-\d{4}\.xlsx", download.value.suggested_filename)


def test_a_password_set_by_someone_else_is_changed_at_the_first_sign_in(page, portal, auditor):
    User.objects.filter(pk=auditor.pk).update(must_change_password=True)
    password_step(page, portal, "alice")
    page.goto(f"{portal}/cycles/")
    page.wait_for_url(f"{portal}/accounts/password/")
    expect(page.get_by_test_id("password-reason")).to_contain_text("由他人设置")
    page.get_by_label("旧密码").fill(PERSONA_PASSWORD)
    page.get_by_label("新密码", exact=True).fill("abcdefgh")
    page.get_by_label("新密码确认").fill("abcdefgh")
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("字符种类太少")
    page.get_by_label("旧密码").fill(PERSONA_PASSWORD)
    page.get_by_label("新密码", exact=True).fill("Qz7-own-lamp")
    page.get_by_label("新密码确认").fill("Qz7-own-lamp")
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_url(f"{portal}/workbench/")
    expect(page.locator(".portal-messages")).to_contain_text("密码已修改")
    page.goto(f"{portal}/cycles/")
    arrive(page, f"{portal}/cycles/")
