"""三员分立 (GB/T 22239-2019 8.1.5, 访问控制 c): the system administrator, the security
administrator and the security auditor each do their own work and nothing else; role
changes are the security administrator's, never on their own account, and all logged."""

import re

import pytest

from accounts.models import Role, User
from security.models import Kind, SecurityEvent, SecurityPolicy


def test_the_security_administrator_changes_a_role_and_it_is_logged(client_for, auditor):
    response = client_for("secadmin").post(
        f"/security/accounts/{auditor.pk}/", {"action": "role", "role": Role.MANAGER}
    )
    assert response.status_code == 302
    auditor.refresh_from_db()
    assert auditor.role == Role.MANAGER
    event = SecurityEvent.objects.get(kind=Kind.ROLE_CHANGED)
    assert event.username == "sam" and "(alice)" in event.target
    assert "稽核员 → 办事处管理者" in event.detail


def test_nobody_changes_their_own_role(client_for):
    sam = User.objects.get(username="sam")
    response = client_for("secadmin").post(
        f"/security/accounts/{sam.pk}/", {"action": "role", "role": Role.ADMINISTRATOR}
    )
    assert "不能修改自己的角色" in response.content.decode()
    sam.refresh_from_db()
    assert sam.role == Role.SECURITY_ADMIN
    assert not SecurityEvent.objects.filter(kind=Kind.ROLE_CHANGED).exists()


def test_an_agency_account_keeps_its_role(client_for, staff004):
    response = client_for("secadmin").post(
        f"/security/accounts/{staff004.pk}/", {"action": "role", "role": Role.MANAGER}
    )
    assert "代办处账号的角色不能更改" in response.content.decode()
    staff004.refresh_from_db()
    assert staff004.role == Role.AGENCY_STAFF


def test_a_role_outside_the_list_is_refused(client_for, auditor):
    response = client_for("secadmin").post(
        f"/security/accounts/{auditor.pk}/", {"action": "role", "role": Role.AGENCY_STAFF}
    )
    assert response.status_code == 422
    auditor.refresh_from_db()
    assert auditor.role == Role.AUDITOR


def test_the_system_administrator_gives_no_role_in_the_admin(client_for, auditor):
    admin = client_for("administrator")
    page = admin.get("/admin/accounts/user/add/").content.decode()
    options = set(re.findall(r'<option value="([a-z_]+)"', page))
    assert {"administrator", "security_admin", "security_auditor"}.isdisjoint(options)
    # on an existing account the role is shown, not a field
    change = admin.get(f"/admin/accounts/user/{auditor.pk}/change/").content.decode()
    assert 'name="role"' not in change and 'name="is_active"' not in change
    admin.post(
        f"/admin/accounts/user/{auditor.pk}/change/",
        {"username": "alice", "full_name": "艾稽核", "email": "a@example.cn", "role": "manager"},
    )
    auditor.refresh_from_db()
    assert auditor.role == Role.AUDITOR


def test_the_system_administrator_cannot_touch_the_security_accounts(client_for):
    sam = User.objects.get(username="sam")
    admin = client_for("administrator")
    response = admin.post(
        f"/admin/accounts/user/{sam.pk}/password/",
        {"password1": "Qz7-taken-over", "password2": "Qz7-taken-over"},
    )
    assert response.status_code == 403
    sam.refresh_from_db()
    assert not sam.check_password("Qz7-taken-over")


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("administrator", "/security/events/"),  # not the log of their own work
        ("administrator", "/security/accounts/"),
        ("administrator", "/security/settings/"),
        ("secadmin", "/security/events/"),
        ("secadmin", "/cycles/2023/"),  # no business data
        ("secadmin", "/admin/"),
        ("secauditor", "/security/accounts/"),
        ("secauditor", "/cycles/2023/"),
        ("secauditor", "/admin/"),
        ("manager", "/security/events/"),
    ],
)
def test_each_role_is_refused_outside_its_duty(client_for, persona, url):
    response = client_for(persona).get(url)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")  # and that refuses them
        assert client_for(persona).get(response["Location"]).status_code == 403


def test_the_security_roles_start_on_their_own_page(client_for):
    assert client_for("secadmin").get("/")["Location"] == "/security/accounts/"
    assert client_for("secauditor").get("/")["Location"] == "/security/events/"


def test_disabling_enabling_and_unlocking_are_logged(client_for, auditor):
    from axes.models import AccessAttempt

    client = client_for("secadmin")
    before = SecurityEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    client.post(f"/security/accounts/{auditor.pk}/", {"action": "disable"})
    auditor.refresh_from_db()
    assert not auditor.is_active
    client.post(f"/security/accounts/{auditor.pk}/", {"action": "enable"})
    auditor.refresh_from_db()
    assert auditor.is_active and auditor.enabled_at is not None
    AccessAttempt.objects.create(
        username="alice", ip_address="10.0.0.1", failures_since_start=5, user_agent="x"
    )
    listing = client.get("/security/accounts/?state=locked").content.decode()
    assert 'data-testid="account-alice"' in listing
    client.post(f"/security/accounts/{auditor.pk}/", {"action": "unlock"})
    assert not AccessAttempt.objects.filter(username="alice").exists()
    kinds = list(
        SecurityEvent.objects.filter(id__gt=before, target__contains="alice")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    # each step once: no second "record changed" for the same switch
    assert kinds == [Kind.ACCOUNT_DISABLED, Kind.ACCOUNT_ENABLED, Kind.UNLOCKED]


def test_security_settings_are_changed_by_the_security_administrator_and_logged(client_for):
    response = client_for("secadmin").post(
        "/security/settings/",
        {"password_max_age_days": "60", "inactive_days": "90", "second_factor_for_everyone": "on"},
    )
    assert response.status_code == 302
    policy = SecurityPolicy.current()
    assert (policy.password_max_age_days, policy.inactive_days) == (60, 90)
    assert policy.second_factor_for_everyone
    event = SecurityEvent.objects.get(kind=Kind.SETTINGS_CHANGED)
    assert "密码有效期（天）: 90 → 60" in event.detail
    refused = client_for("secadmin").post(
        "/security/settings/", {"password_max_age_days": "-1", "inactive_days": "99999"}
    )
    assert refused.status_code == 422
    assert SecurityPolicy.current().password_max_age_days == 60


def test_reference_data_changes_are_logged_with_before_and_after(client_for):
    from agencies.models import Agency

    agency = Agency.objects.get(code="004")
    admin = client_for("administrator")
    response = admin.post(
        f"/admin/agencies/agency/{agency.pk}/change/",
        {"code": "004", "name": "朝阳（新址）"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = SecurityEvent.objects.get(kind=Kind.RECORD_CHANGED, target__contains="朝阳")
    assert event.username == "adam"
    assert "→ 朝阳（新址）" in event.detail and agency.name in event.detail


def test_personal_data_in_the_log_is_masked(client_for, auditor):
    from security.changes import masked

    User.objects.filter(pk=auditor.pk)
    auditor.phone = "13812345678"
    auditor.save()
    event = SecurityEvent.objects.filter(kind=Kind.RECORD_CHANGED).latest("id")
    assert "13812345678" not in event.detail and "138****5678" in event.detail
    assert masked("zhang.san@example.cn") == "z***@example.cn"


def test_the_security_pages_show_no_phone_or_e_mail(client_for, auditor):
    auditor.phone = "13812345678"
    auditor.email = "alice@example.cn"
    auditor.save()
    client = client_for("secadmin")
    for url in ("/security/accounts/", f"/security/accounts/{auditor.pk}/"):
        page = client.get(url).content.decode()
        assert "13812345678" not in page and "alice@example.cn" not in page


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        ("disable", Kind.ACCOUNT_DISABLED),
        ("enable", Kind.ACCOUNT_ENABLED),
        ("unlock", Kind.UNLOCKED),
        ("reset_second_factor", Kind.SECOND_FACTOR_RESET),
    ],
)
def test_nobody_changes_their_own_lock_or_second_factor(client_for, action, kind):
    """Not only the role: disabling, enabling, unlocking and resetting the second factor
    of one's own account are refused too, and nothing is changed or logged."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from audit_portal.testing import second_factor_of

    sam = User.objects.get(username="sam")
    device = second_factor_of(sam)
    response = client_for("secadmin").post(f"/security/accounts/{sam.pk}/", {"action": action})
    assert response.status_code == 200
    assert "不能修改自己的角色" in response.content.decode()
    sam.refresh_from_db()
    assert sam.is_active and TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not SecurityEvent.objects.filter(kind=kind).exists()
