"""Five wrong passwords for a user from one address lock that sign-in for 15 minutes."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from audit_portal.testing import PERSONA_PASSWORD


def _attempt(client, username, password, address="10.1.2.3"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_failures_lock_the_sign_in_with_a_chinese_message(db, auditor):
    client = Client()
    for _ in range(4):
        assert _attempt(client, auditor.username, "wrong").status_code == 200
    locked = _attempt(client, auditor.username, "wrong")
    assert locked.status_code == 429
    assert "登录已被暂时锁定" in locked.content.decode() and "15 分钟" in locked.content.decode()
    # even the right password is refused while locked
    assert _attempt(client, auditor.username, PERSONA_PASSWORD).status_code == 429


def test_the_lock_is_for_that_user_from_that_address_only(db, auditor, manager):
    client = Client()
    for _ in range(5):
        _attempt(client, auditor.username, "wrong")
    assert _attempt(client, manager.username, PERSONA_PASSWORD).status_code == 302
    assert (
        _attempt(Client(), auditor.username, PERSONA_PASSWORD, address="10.9.9.9").status_code
        == 302
    )


def test_the_lock_ends_after_fifteen_minutes(db, auditor):
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(5):
        _attempt(client, auditor.username, "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _attempt(client, auditor.username, PERSONA_PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(db, auditor):
    client = Client()
    for _ in range(4):
        _attempt(client, auditor.username, "wrong")
    assert _attempt(client, auditor.username, PERSONA_PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert _attempt(client, auditor.username, "wrong").status_code == 200
