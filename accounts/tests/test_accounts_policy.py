"""Accounts (等保 level 3, 访问控制 b and 身份鉴别): idle accounts disabled by the daily
command, the last sign-in shown to its person, nothing secret written to the logs."""

import io
import logging
from datetime import timedelta

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit_portal.testing import PERSONA_PASSWORD
from security.models import Kind, SecurityEvent, SecurityPolicy


def age(user, days, hours=0, **extra):
    when = timezone.now() - timedelta(days=days, hours=hours)
    User.objects.filter(pk=user.pk).update(last_login=when, date_joined=when, **extra)


def run():
    out = io.StringIO()
    call_command("disable_inactive_accounts", stdout=out)
    return out.getvalue()


def test_accounts_unused_for_180_days_are_disabled(auditor, manager, staff004):
    age(auditor, 180, hours=1)  # just past the 180 days
    age(manager, 179, hours=23)  # just short of them
    age(staff004, 400)
    text = run()
    assert "已停用 2 个" in text
    states = dict(User.objects.values_list("username", "is_active"))
    assert (states["alice"], states["mona"], states["chaoyang"]) == (False, True, False)
    event = SecurityEvent.objects.filter(kind=Kind.ACCOUNT_DISABLED, target="alice").get()
    assert "180 天未登录" in event.detail
    assert "没有" in run()  # a second run that day changes nothing


def test_a_re_enabled_account_counts_its_days_from_the_enabling(client_for, auditor):
    age(auditor, 181)
    run()
    client_for("secadmin").post(f"/security/accounts/{auditor.pk}/", {"action": "enable"})
    run()
    auditor.refresh_from_db()
    assert auditor.is_active


def test_the_days_follow_the_security_settings(auditor):
    SecurityPolicy.objects.create(pk=1, inactive_days=0)
    age(auditor, 5000)
    assert "不停用" in run()
    SecurityPolicy.objects.filter(pk=1).update(inactive_days=30)
    age(auditor, 31)
    run()
    auditor.refresh_from_db()
    assert not auditor.is_active


def test_a_disabled_account_cannot_sign_in(auditor):
    age(auditor, 181)
    run()
    client = Client()
    response = client.post("/accounts/login/", {"username": "alice", "password": PERSONA_PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def sign_in(address="10.1.1.1", password=PERSONA_PASSWORD):
    client = Client(REMOTE_ADDR=address)
    client.post("/accounts/login/", {"username": "alice", "password": password})
    return client


def test_after_sign_in_a_person_sees_the_last_sign_in_and_the_failures_since(auditor):
    first = sign_in("10.1.1.1").get("/workbench/").content.decode()
    assert "这是您第一次登录" in first
    sign_in("10.6.6.6", password="wrong")
    sign_in("10.6.6.6", password="wrong")
    page = sign_in("10.2.2.2").get("/workbench/").content.decode()
    assert "上次登录" in page and "10.1.1.1" in page
    assert "此后有 2 次登录您账号的失败尝试" in page
    calm = sign_in("10.3.3.3").get("/workbench/").content.decode()
    assert "10.2.2.2" in calm and "此后没有失败的登录尝试" in calm


def test_passwords_and_session_keys_never_reach_the_logs(auditor, caplog):
    caplog.set_level(logging.DEBUG)
    sign_in(password="Wrong-guess-4711")
    client = sign_in()
    client.post(
        "/accounts/password/",
        {
            "old_password": PERSONA_PASSWORD,
            "new_password1": "Qz7-secret-lamp",
            "new_password2": "Qz7-secret-lamp",
        },
    )
    session_key = client.session.session_key
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "portal.security" in {record.name for record in caplog.records}
    for secret in ("Wrong-guess-4711", PERSONA_PASSWORD, "Qz7-secret-lamp", session_key):
        assert secret not in text
    stored = "\n".join(f"{e.target} {e.detail} {e.path}" for e in SecurityEvent.objects.all())
    for secret in ("Wrong-guess-4711", PERSONA_PASSWORD, "Qz7-secret-lamp", session_key):
        assert secret not in stored
