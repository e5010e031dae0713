"""Passwords (等保 level 3, 身份鉴别 a): the rules, the history, the expiry, and the change
owed at the first sign-in after someone else set the password."""

from datetime import timedelta
from itertools import pairwise

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from accounts.models import PasswordHistory, Role, User
from accounts.passwords import HISTORY
from audit_portal.testing import PERSONA_PASSWORD
from security.models import Kind, SecurityEvent, SecurityPolicy


def refusal(password, user=None):
    with override("zh-hans"):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return " ".join(error.messages)
    return ""


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!xyz", "密码长度太短"),  # 7 characters
        ("abcdefgh12", "字符种类太少"),  # two kinds
        ("ABCDEFGH!!", "字符种类太少"),
        ("Password1", "太常见"),  # three kinds, but a common password
        ("Alice-2024x", "含有用户名"),  # the user name, in another case
    ],
)
def test_passwords_that_break_a_rule_are_refused_in_chinese(auditor, password, message):
    assert message in refusal(password, auditor)


@pytest.mark.parametrize("password", ["Qz7-tiger-lamp", "qz7tigerlamp!", "QZ7TIGER!lamp"])
def test_three_kinds_and_eight_characters_pass(auditor, password):
    assert refusal(password, auditor) == ""


def change(client, old, new):
    return client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_the_last_five_passwords_may_not_be_chosen_again(client_for, auditor):
    client = client_for("auditor")
    passwords = [PERSONA_PASSWORD] + [f"Qz7-round-{n}" for n in range(1, 7)]
    for old, new in pairwise(passwords[:6]):
        assert change(client, old, new).status_code == 302
    assert PasswordHistory.objects.filter(user=auditor).count() == HISTORY
    current = passwords[5]
    for reused in passwords[1:6]:
        response = change(client, current, reused)
        assert response.status_code == 422
        assert "最近用过" in response.content.decode()
    # the sixth back is free again
    assert change(client, current, passwords[0]).status_code == 302


def test_a_password_changed_is_recorded_without_its_value(client_for, auditor):
    client = client_for("auditor")
    assert change(client, PERSONA_PASSWORD, "Qz7-new-lamp").status_code == 302
    event = SecurityEvent.objects.get(kind=Kind.PASSWORD_CHANGED, username="alice")
    assert "Qz7" not in event.detail and "已修改（不显示）" in event.detail


def test_an_account_created_by_the_administrator_changes_its_password_first(client_for):
    admin = client_for("administrator")
    response = admin.post(
        "/admin/accounts/user/add/",
        {
            "username": "newbie",
            "full_name": "新稽核",
            "email": "newbie@example.cn",
            "phone": "",
            "role": Role.AUDITOR,
            "password1": "Qz7-first-lamp",
            "password2": "Qz7-first-lamp",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newbie")
    assert user.must_change_password
    client = Client()
    client.post("/accounts/login/", {"username": "newbie", "password": "Qz7-first-lamp"})
    page = client.get("/cycles/")
    assert page["Location"] == "/accounts/password/"
    assert "由他人设置" in client.get("/accounts/password/").content.decode()
    assert change(client, "Qz7-first-lamp", "Qz7-mine-lamp").status_code == 302
    assert client.get("/cycles/").status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password


def test_a_password_reset_by_the_administrator_is_changed_at_the_next_sign_in(client_for, auditor):
    response = client_for("administrator").post(
        f"/admin/accounts/user/{auditor.pk}/password/",
        {"password1": "Qz7-reset-lamp", "password2": "Qz7-reset-lamp"},
    )
    assert response.status_code == 302
    auditor.refresh_from_db()
    assert auditor.must_change_password
    assert SecurityEvent.objects.filter(kind=Kind.PASSWORD_RESET, target__contains="alice").exists()


def test_the_administrator_may_not_create_an_office_account_without_a_way_to_reach_its_person(
    client_for,
):
    response = client_for("administrator").post(
        "/admin/accounts/user/add/",
        {
            "username": "shared",
            "full_name": "",
            "role": Role.AUDITOR,
            "password1": "Qz7-first-lamp",
            "password2": "Qz7-first-lamp",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "请填写使用此账号的人的姓名" in page
    assert "请填写此人的电话或电子邮箱" in page
    assert not User.objects.filter(username="shared").exists()


def sign_in(username, password=PERSONA_PASSWORD):
    client = Client()
    client.post("/accounts/login/", {"username": username, "password": password})
    return client


def test_an_expired_password_must_be_changed(auditor):
    User.objects.filter(pk=auditor.pk).update(
        password_changed_at=timezone.now() - timedelta(days=91)
    )
    client = sign_in("alice")
    assert client.get("/cycles/")["Location"] == "/accounts/password/"
    assert "已过期" in client.get("/accounts/password/").content.decode()
    assert change(client, PERSONA_PASSWORD, "Qz7-fresh-lamp").status_code == 302
    assert client.get("/cycles/").status_code == 200


def test_a_week_before_expiry_the_person_is_warned(auditor):
    def page_after_sign_in(changed_days_ago):
        User.objects.filter(pk=auditor.pk).update(
            password_changed_at=timezone.now() - timedelta(days=changed_days_ago)
        )
        client = sign_in("alice")
        return client, client.get("/workbench/").content.decode()

    client, page = page_after_sign_in(83.5)  # 6½ days left: within the week
    assert "您的密码将在 6 天后过期" in page
    assert client.get("/cycles/").status_code == 200  # a warning, not a stop
    _client, page = page_after_sign_in(82.5)  # 7½ days left: not yet
    assert "天后过期" not in page


def test_expiry_follows_the_security_settings(auditor):
    SecurityPolicy.objects.create(pk=1, password_max_age_days=0)
    User.objects.filter(pk=auditor.pk).update(
        password_changed_at=timezone.now() - timedelta(days=900)
    )
    assert sign_in("alice").get("/cycles/").status_code == 200  # 0: never expires
    SecurityPolicy.objects.filter(pk=1).update(password_max_age_days=30)
    User.objects.filter(pk=auditor.pk).update(
        password_changed_at=timezone.now() - timedelta(days=31)
    )
    assert sign_in("alice").get("/cycles/")["Location"] == "/accounts/password/"


def test_demo2023_works_only_with_debug_on(db, settings):
    user = User(username="demo1", full_name="演示", role=Role.AUDITOR, email="d@example.cn")
    user.set_password("demo2023")
    user.save()
    settings.DEBUG = False
    client = sign_in("demo1", "demo2023")
    assert client.get("/cycles/")["Location"] == "/accounts/password/"
    assert "不符合下列规则" in client.get("/accounts/password/").content.decode()
    settings.DEBUG = True
    assert sign_in("demo1", "demo2023").get("/cycles/").status_code == 200
