"""The token rules one by one (api.tokens, api.auth): the key's form, the limits of a name and
a lifetime, what the security log says when a token is made or revoked, when its last use is
written, and the refusals that stand behind the token check."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from api import tokens
from api.auth import BusinessRole, TokenScope
from api.models import ApiToken
from audit_portal.testing import persona_user
from security.models import Kind, SecurityEvent

pytestmark = pytest.mark.django_db


def test_a_key_is_the_prefix_eight_hex_digits_and_a_secret(manager):
    token, key = tokens.issue(manager, name="OA", days=30, can_write=False)
    assert re.fullmatch(r"jhp_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", key), key
    assert key.split("_")[1] == token.prefix


@pytest.mark.parametrize("days", [1, 365])
def test_a_token_lives_the_days_asked_for_from_1_to_365(manager, days):
    before = timezone.now()
    token, key = tokens.issue(manager, name="  OA 系统 ", days=days, can_write=False)
    token.refresh_from_db()
    assert token.name == "OA 系统"  # the spaces around the name are not kept
    assert (
        before + timedelta(days=days) <= token.expires_at <= timezone.now() + timedelta(days=days)
    )
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/me/").status_code == 200


def test_a_name_is_at_most_100_characters(manager):
    token, _key = tokens.issue(manager, name="名" * 100, days=1, can_write=False)
    assert len(token.name) == 100
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        tokens.issue(manager, name="名" * 101, days=1, can_write=False)
    assert refused.value.messages == ["用途最多 100 个字符。"]


def test_the_log_says_who_made_whose_token_with_what_scope(manager, staff004):
    with translation.override("zh-hans"):
        read, _key = tokens.issue(staff004, name="OA", days=1, can_write=False, by=manager)
        write, _key = tokens.issue(staff004, name="报表", days=1, can_write=True)
    made = SecurityEvent.objects.filter(kind=Kind.API_TOKEN_CREATED).order_by("pk")
    assert [(e.username, e.target, e.detail) for e in made] == [
        ("mona", f"chaoyang · OA ({read.prefix}…)", "只读"),
        ("chaoyang", f"chaoyang · 报表 ({write.prefix}…)", "可读写"),
    ]


def test_revoking_is_logged_once_and_keeps_its_first_time(manager, staff004):
    token, _key = tokens.issue(staff004, name="OA", days=1, can_write=False)
    tokens.revoke(token, by=manager)
    token.refresh_from_db()
    first = token.revoked_at
    assert first is not None
    tokens.revoke(token, by=staff004)  # again: nothing changes
    token.refresh_from_db()
    assert token.revoked_at == first
    revoked = SecurityEvent.objects.filter(kind=Kind.API_TOKEN_REVOKED)
    assert [(e.username, e.target) for e in revoked] == [
        ("mona", f"chaoyang · OA ({token.prefix}…)")
    ]


def test_the_last_use_is_written_again_a_minute_after_the_last(manager):
    token, key = tokens.issue(manager, name="OA", days=1, can_write=False)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    earlier = timezone.now() - timedelta(seconds=61)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    client.get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at > earlier
    recent = timezone.now() - timedelta(seconds=50)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    client.get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at == recent


def test_without_a_token_the_api_says_one_is_missing(manager):
    with translation.override("zh-hans"):
        answer = Client().get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 401
    assert answer.json()["detail"] == "身份认证信息未提供。"
    # "bearer" in any case is the same scheme
    _token, key = tokens.issue(manager, name="OA", days=1, can_write=False)
    assert Client(HTTP_AUTHORIZATION=f"bearer {key}").get("/api/v1/me/").status_code == 200


def _request(user, method="GET", auth=None):
    return SimpleNamespace(user=user, method=method, auth=auth)


def test_behind_the_token_check_a_security_role_or_nobody_is_still_refused(manager):
    """tokens.find already refuses a security role's token; the permission stands behind it,
    for a caller let in some other way."""
    allowed = BusinessRole().has_permission
    assert allowed(_request(manager), None)
    assert allowed(_request(persona_user("staff004")), None)
    assert not allowed(_request(persona_user("secadmin")), None)
    assert not allowed(_request(persona_user("secauditor")), None)
    from django.contrib.auth.models import AnonymousUser

    assert not allowed(_request(AnonymousUser()), None)
    assert not allowed(_request(None), None)


def test_a_token_writes_only_when_made_to(manager):
    read, _key = tokens.issue(manager, name="OA", days=1, can_write=False)
    write, _key = tokens.issue(manager, name="OA", days=1, can_write=True)
    allowed = TokenScope().has_permission
    for method in ("GET", "HEAD", "OPTIONS"):
        assert allowed(_request(manager, method, read), None)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert not allowed(_request(manager, method, read), None)
        assert not allowed(_request(manager, method, None), None)
        assert allowed(_request(manager, method, write), None)
