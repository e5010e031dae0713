"""Security headers, session lifetime and the production configuration check."""

import os
import subprocess
import sys
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone


def test_every_page_carries_a_strict_content_security_policy(client_for):
    response = client_for("manager").get("/cycles/2023/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_only_the_admin_allows_its_inline_scripts(client_for):
    admin = client_for("administrator").get("/admin/")["Content-Security-Policy"]
    assert "'unsafe-inline'" in admin and "frame-ancestors 'none'" in admin
    assert (
        "'unsafe-inline'"
        not in client_for("administrator").get("/cycles/2023/")["Content-Security-Policy"]
    )


def test_pages_have_no_inline_script_or_style(client_for):
    body = client_for("auditor").get("/cycles/2023/agencies/004/scoring/").content.decode()
    assert "<script>" not in body and "<script " not in body.replace('<script src="', "")
    assert ' style="' not in body and "<style" not in body
    assert " onclick=" not in body and " onchange=" not in body


def test_a_session_ends_after_the_maximum_however_active(client_for, settings):
    client = client_for("manager")
    assert client.get("/cycles/2023/").status_code == 200
    session = client.session
    session["signed_in_at"] = time.time() - settings.SESSION_MAX_SECONDS - 1
    session.save()
    response = client.get("/cycles/2023/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert "请重新登录" in response.content.decode()
    assert client.get("/cycles/2023/").status_code == 302


def test_sessions_end_after_thirty_idle_minutes_and_activity_renews_them(client_for):
    from django.contrib.sessions.models import Session

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    client = client_for("manager")
    client.get("/cycles/2023/")
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )
    session = client.session
    session["seen_at"] = time.time() - 120  # the idle clock was last renewed two minutes ago
    session.save()
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )

    client.get("/cycles/2023/")

    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + timedelta(minutes=29)
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert client.get("/cycles/2023/").status_code == 302  # idle too long: signed out


def test_production_settings_pass_the_deployment_check():
    skip = ("SECURE_", "SESSION_", "CSRF_", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    environment.update(
        DJANGO_SETTINGS_MODULE="audit_portal.settings",
        DEBUG="0",
        SECRET_KEY="k7#Qz9!vR2pL$w8@Tn4^Yb6&Hc1*Jd3(Fg5)Xm0-Ue_Ai+So=Wq]Ez[Ry}Vt{Lk",
        ALLOWED_HOSTS="audit.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
