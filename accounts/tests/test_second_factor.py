"""Two-factor sign-in (等保 level 3, 身份鉴别 d): TOTP (RFC 6238) for managers, administrators
and the security roles; recovery codes used once; wrong codes count towards the lockout."""

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SECOND_FACTOR_ROLES, Role
from audit_portal.testing import PERSONA_PASSWORD, PERSONAS, code_for, second_factor_of
from security.models import Kind, SecurityEvent, SecurityPolicy

ADDRESS = "10.9.8.7"


def sign_in(username, password=PERSONA_PASSWORD, client=None):
    client = client or Client(REMOTE_ADDR=ADDRESS)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def code_of_secret(secret: str) -> str:
    from base64 import b32decode

    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


@pytest.mark.parametrize("persona", [p for p in PERSONAS])
def test_each_role_signs_in_with_or_without_a_second_factor(db, persona):
    username, _name, role, _code = PERSONAS[persona]
    client, response = sign_in(username)
    assert response.status_code == 302
    asks = role in SECOND_FACTOR_ROLES
    # never enrolled: the roles that need one are sent to set it up, the others work at once
    assert response["Location"] == ("/accounts/two-factor/" if asks else "/workbench/")
    page = client.get("/cycles/")
    if asks:
        assert page.status_code == 302 and page["Location"] == "/accounts/two-factor/"
    else:
        assert page.status_code in (200, 403)  # their page, or not theirs: not held


@pytest.mark.parametrize("persona", ["manager", "administrator", "secadmin", "secauditor"])
def test_an_enrolled_person_types_the_code_after_the_password(db, persona):
    user_name = PERSONAS[persona][0]
    from accounts.models import User

    device = second_factor_of(User.objects.get(username=user_name))
    client, response = sign_in(user_name)
    assert response["Location"] == "/accounts/two-factor/verify/"
    assert client.get("/workbench/")["Location"] == "/accounts/two-factor/verify/"
    response = client.post("/accounts/two-factor/verify/", {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/workbench/"
    assert SecurityEvent.objects.filter(kind=Kind.SECOND_FACTOR_PASSED, username=user_name).exists()
    assert client.get("/accounts/password/").status_code == 200  # past the step


def test_without_the_setting_the_password_is_enough(db, settings):
    # make run (DEBUG on) sets OTP_REQUIRED off: the demo accounts sign in as before
    settings.OTP_REQUIRED = False
    client, response = sign_in("mona")
    assert response["Location"] == "/workbench/"
    assert client.get("/cycles/").status_code == 200


def test_the_setting_can_ask_every_role(db):
    SecurityPolicy.objects.create(pk=1, second_factor_for_everyone=True)
    _client, response = sign_in("alice")  # an auditor
    assert response["Location"] == "/accounts/two-factor/"
    _client, response = sign_in("chaoyang")  # agency staff
    assert response["Location"] == "/accounts/two-factor/"


def test_enrolment_shows_a_qr_code_drawn_here_confirms_a_code_and_gives_recovery_codes(db):
    client, _ = sign_in("mona")
    page = client.get("/accounts/two-factor/").content.decode()
    assert 'src="data:image/svg+xml' in page  # drawn on the server, no outside service
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    # a wrong code is refused with a message, nothing is confirmed
    wrong = client.post("/accounts/two-factor/", {"code": "000000"}).content.decode()
    assert "代码不正确" in wrong or "不正确" in wrong
    assert not TOTPDevice.objects.filter(user__username="mona", confirmed=True).exists()
    done = client.post("/accounts/two-factor/", {"code": code_of_secret(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/cycles/").status_code == 200  # signed in fully
    assert SecurityEvent.objects.filter(kind=Kind.SECOND_FACTOR_ENROLLED, username="mona").exists()
    # the next sign-in asks for the code
    _client, response = sign_in("mona")
    assert response["Location"] == "/accounts/two-factor/verify/"


def test_a_recovery_code_signs_in_once(db, manager):
    second_factor_of(manager)
    recovery = StaticDevice.objects.create(user=manager, name="恢复码")
    recovery.token_set.create(token="abcd2345")
    recovery.token_set.create(token="efgh6723")
    client, _ = sign_in("mona")
    response = client.post("/accounts/two-factor/verify/", {"code": "ABCD 2345"})
    assert response["Location"] == "/workbench/"
    assert "还剩 1 个" in client.get("/workbench/").content.decode()
    assert SecurityEvent.objects.filter(kind=Kind.RECOVERY_CODE_USED, username="mona").exists()
    again, _ = sign_in("mona")
    refused = again.post("/accounts/two-factor/verify/", {"code": "abcd2345"})
    assert refused.status_code == 200  # the page again, with the message
    assert again.get("/cycles/")["Location"] == "/accounts/two-factor/verify/"


def test_wrong_codes_count_like_wrong_passwords_and_lock_the_sign_in(db, manager):
    device = second_factor_of(manager)
    client = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(2):
        sign_in("mona", password="wrong", client=client)
    client, _ = sign_in("mona", client=client)
    for _ in range(2):
        assert client.post("/accounts/two-factor/verify/", {"code": "000000"}).status_code == 200
    # the fifth failure (two passwords, three codes) locks: signed out, with the lock page
    locked = client.post("/accounts/two-factor/verify/", {"code": "000001"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # now even the right password and the right code do not get in
    _client, response = sign_in("mona")
    assert response.status_code == 429
    assert (
        SecurityEvent.objects.filter(kind=Kind.SECOND_FACTOR_FAILED, username="mona").count() == 3
    )
    assert code_for(device)  # the phone still works: the lock is for the attempts


def test_a_right_code_clears_the_failures_a_right_password_alone_does_not(db, manager):
    from axes.models import AccessAttempt

    device = second_factor_of(manager)
    client = Client(REMOTE_ADDR=ADDRESS)
    sign_in("mona", password="wrong", client=client)
    client, _ = sign_in("mona", client=client)
    assert AccessAttempt.objects.filter(username="mona").exists()  # the password alone
    client.post("/accounts/two-factor/verify/", {"code": code_for(device)})
    assert not AccessAttempt.objects.filter(username="mona").exists()


def test_the_security_administrator_resets_a_lost_phone_and_it_is_recorded(client_for, manager):
    second_factor_of(manager)
    StaticDevice.objects.create(user=manager, name="恢复码").token_set.create(token="abcd2345")
    response = client_for("secadmin").post(
        f"/security/accounts/{manager.pk}/", {"action": "reset_second_factor"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert not StaticDevice.objects.filter(user=manager).exists()
    event = SecurityEvent.objects.get(kind=Kind.SECOND_FACTOR_RESET)
    assert (event.username, event.target) == ("sam", "mona")
    _client, response = sign_in("mona")
    assert response["Location"] == "/accounts/two-factor/"  # set it up again


def test_nobody_resets_their_own_second_factor(client_for):
    from accounts.models import User

    sam = User.objects.get(username="sam")
    second_factor_of(sam)
    response = client_for("secadmin").post(
        f"/security/accounts/{sam.pk}/", {"action": "reset_second_factor"}
    )
    assert response.status_code == 200
    assert "不能修改自己的" in response.content.decode()
    assert TOTPDevice.objects.filter(user=sam).exists()


def test_only_the_security_administrator_resets_factors(client_for, manager):
    second_factor_of(manager)
    for persona in ("administrator", "manager", "secauditor"):
        response = client_for(persona).post(
            f"/security/accounts/{manager.pk}/", {"action": "reset_second_factor"}
        )
        assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=manager).exists()


def test_roles_needing_a_second_factor():
    assert set(SECOND_FACTOR_ROLES) == {
        Role.MANAGER,
        Role.ADMINISTRATOR,
        Role.SECURITY_ADMIN,
        Role.SECURITY_AUDITOR,
    }


@pytest.mark.parametrize(
    "code", ["\x00", "²²²²²²", "１２３４５６", "9" * 40, "1e30", "-1", "中" * 40, "' OR 1=1 --"]
)
def test_hostile_codes_are_wrong_codes_not_errors(db, manager, code):
    second_factor_of(manager)
    StaticDevice.objects.create(user=manager, name="恢复码").token_set.create(token="abcd2345")
    client, _ = sign_in("mona")
    response = client.post("/accounts/two-factor/verify/", {"code": code})
    assert response.status_code in (200, 400)
    assert client.get("/cycles/")["Location"] == "/accounts/two-factor/verify/"
    setup_client, _ = sign_in("bai")  # an auditor, enrolling of their own accord
    response = setup_client.post("/accounts/two-factor/", {"code": code})
    assert response.status_code in (200, 400)
    assert not TOTPDevice.objects.filter(user__username="bai", confirmed=True).exists()
