"""账号管理 read closely (`make mutate`'s survivors of accounts/account_admin.py): whose lock
and whose second factor a row shows, what each step tells the security administrator, and
that a step touches the one account it names."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from security.models import Kind, SecurityEvent

pytestmark = pytest.mark.django_db


def _lock(username, *, failures=5, minutes_ago=0):
    attempt = AccessAttempt.objects.create(
        username=username, ip_address="10.0.0.1", failures_since_start=failures, user_agent="x"
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=timezone.now() - timedelta(minutes=minutes_ago)
    )


def _listed(client, state):
    page = client.get(f"/security/accounts/?state={state}&per_page=200").content.decode()
    return {
        name
        for name in ("alice", "bai", "mona", "chaoyang")
        if f'data-testid="account-{name}"' in page
    }


def test_a_row_is_locked_by_its_own_failures_only_five_and_within_the_cool_off(client_for):
    client = client_for("secadmin")
    _lock("alice")  # locked now
    _lock("bai", failures=4)  # one short of the limit
    _lock("mona", minutes_ago=16)  # the cool-off (15 minutes) is over
    assert _listed(client, "locked") == {"alice"}


def test_a_row_has_a_second_factor_when_its_own_is_confirmed(client_for, auditor, manager):
    client = client_for("secadmin")
    TOTPDevice.objects.create(user=auditor, name="phone", confirmed=True)
    TOTPDevice.objects.create(user=manager, name="phone", confirmed=False)  # set up halfway
    without = _listed(client, "no_factor")
    assert "alice" not in without
    assert {"mona", "bai", "chaoyang"} <= without


def _messages(response) -> list[str]:
    """What the page the step leads to tells (read there, so each step's own)."""
    return [str(message) for message in response.context["messages"]]


def test_each_step_says_what_it_did(client_for, auditor, staff004):
    client = client_for("secadmin")
    url = f"/security/accounts/{auditor.pk}/"
    said = _messages(client.post(url, {"action": "role", "role": Role.AUDITOR}, follow=True))
    assert said == ["角色未变。"]
    assert not SecurityEvent.objects.filter(kind=Kind.ROLE_CHANGED).exists()
    said = _messages(client.post(url, {"action": "role", "role": Role.MANAGER}, follow=True))
    assert said == ["alice 的角色已由“稽核员”改为“办事处管理者”。"]
    said = _messages(client.post(url, {"action": "disable"}, follow=True))
    assert said == ["alice 已停用，不能再登录。"]
    said = _messages(client.post(url, {"action": "enable"}, follow=True))
    assert said == ["alice 已重新启用，可以登录。"]
    said = _messages(client.post(url, {"action": "unlock"}, follow=True))
    assert said == ["已解除 alice 的登录锁定。"]
    said = _messages(client.post(url, {"action": "reset_second_factor"}, follow=True))
    assert said == ["已重置 alice 的动态口令：其下次登录时用新的二维码重新设置。"]
    agency = client.post(
        f"/security/accounts/{staff004.pk}/", {"action": "role", "role": Role.MANAGER}
    )
    assert _messages(agency) == [
        "代办处账号的角色不能更改。人员调到办事处时，请系统管理员另建办事处账号。"
    ]


def test_unchanged_role_goes_back_to_the_account(client_for, auditor):
    response = client_for("secadmin").post(
        f"/security/accounts/{auditor.pk}/", {"action": "role", "role": Role.AUDITOR}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/security/accounts/{auditor.pk}/"


def test_disabling_keeps_the_last_enabling_date(client_for, auditor):
    client = client_for("secadmin")
    client.post(f"/security/accounts/{auditor.pk}/", {"action": "enable"})
    auditor.refresh_from_db()
    enabled = auditor.enabled_at
    client.post(f"/security/accounts/{auditor.pk}/", {"action": "disable"})
    auditor.refresh_from_db()
    assert auditor.enabled_at == enabled


def test_unlocking_lifts_that_accounts_lock_only_and_says_how_many(client_for, auditor):
    _lock("alice")
    _lock("mona")
    client_for("secadmin").post(f"/security/accounts/{auditor.pk}/", {"action": "unlock"})
    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert AccessAttempt.objects.filter(username="mona").exists()
    event = SecurityEvent.objects.get(kind=Kind.UNLOCKED)
    assert (event.username, event.target, event.detail, event.address) == (
        "sam",
        "alice",
        "1",
        "127.0.0.1",
    )


def test_each_step_is_logged_with_who_and_from_where(client_for, auditor):
    client = client_for("secadmin")
    for action in ("disable", "enable", "reset_second_factor"):
        client.post(f"/security/accounts/{auditor.pk}/", {"action": action})
    events = SecurityEvent.objects.filter(
        kind__in=[Kind.ACCOUNT_DISABLED, Kind.ACCOUNT_ENABLED, Kind.SECOND_FACTOR_RESET]
    )
    assert {(e.username, e.target, e.address) for e in events} == {("sam", "alice", "127.0.0.1")}
    assert User.objects.get(pk=auditor.pk).is_active
