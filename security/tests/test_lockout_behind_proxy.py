"""Behind nginx (PROXY_COUNT=1) five wrong passwords lock the attacker's address, not the
proxy's: the real user signs in from another address, and the security log and the access
log name the attacker's address. Run against gunicorn as production runs it, with the
forwarding header a proxy adds, on this test run's own database."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from audit_portal.testing import PERSONA_PASSWORD
from security.models import Kind, SecurityEvent

ROOT = Path(__file__).resolve().parents[2]
ATTACKER, USER = "127.0.0.66", "127.0.0.77"  # as nginx would forward them


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def gunicorn(seeded_transactional_db, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        # the test settings: production's, with the personas' password hasher and static
        # files from the source folders (no collectstatic)
        "DJANGO_SETTINGS_MODULE": "audit_portal.settings_test",
        "DATABASE_URL": _database_url(),
        "VAR_DIR": str(tmp_path),
        "PROXY_COUNT": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "audit_portal.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield base, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _sign_in(base, username, password, address):
    """A sign-in as it arrives through nginx: from 127.0.0.1, the visitor in the header."""
    session = requests.Session()
    headers = {"X-Forwarded-For": address}
    page = session.get(base + "/accounts/login/", headers=headers, timeout=10)
    assert page.status_code == 200, page.text[:300]
    return session.post(
        base + "/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers=headers | {"Referer": base + "/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )


def test_failures_behind_the_proxy_lock_the_attackers_address_only(gunicorn, auditor):
    base, log = gunicorn
    for _ in range(4):
        assert _sign_in(base, auditor.username, "wrong", ATTACKER).status_code == 200
    assert _sign_in(base, auditor.username, "wrong", ATTACKER).status_code == 429
    # locked: even the right password, from the attacker's address
    assert _sign_in(base, auditor.username, PERSONA_PASSWORD, ATTACKER).status_code == 429
    # the real user, from another address behind the same proxy, signs in
    assert _sign_in(base, auditor.username, PERSONA_PASSWORD, USER).status_code == 302

    def addresses(kind):
        return set(SecurityEvent.objects.filter(kind=kind).values_list("address", flat=True))

    assert addresses(Kind.SIGN_IN_FAILED) == {ATTACKER}
    assert addresses(Kind.LOCKED_OUT) == {ATTACKER}
    assert addresses(Kind.SIGN_IN) == {USER}
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    access_lines = [
        line
        for line in log.read_text().splitlines()
        if "portal.access" in line and "/login/" in line
    ]
    assert any(f"address={ATTACKER}" in line for line in access_lines)
    assert any(f"address={USER}" in line for line in access_lines)
    assert not any("address=127.0.0.1" in line for line in access_lines)
