"""With DEBUG off the portal refuses to start on an unsafe configuration."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def _start(**env):
    environment = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="audit_portal.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _start(DEBUG="0", ALLOWED_HOSTS="audit.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts_when_debug_is_off():
    result = _start(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is empty" in result.stderr


def test_it_refuses_an_agency_code_width_outside_three_to_six():
    for width in ("2", "7"):
        result = _start(DEBUG="1", AGENCY_CODE_DIGITS=width)
        assert result.returncode != 0
        assert "AGENCY_CODE_DIGITS must be 3 to 6" in result.stderr
    assert _start(DEBUG="1", AGENCY_CODE_DIGITS="6").returncode == 0


def test_it_starts_with_a_development_key_when_debug_is_on():
    assert _start(DEBUG="1").returncode == 0


def test_it_starts_with_a_complete_production_configuration():
    assert _start(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="audit.example.org").returncode == 0


def test_chinese_and_shanghai_are_the_defaults():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert dict(settings.LANGUAGES).keys() == {"zh-hans", "en"}


@pytest.mark.one_database  # static files only: no database changes them
def test_collectstatic_works_with_the_production_storage(tmp_path, settings):
    """Production serves hashed, compressed static files (whitenoise's manifest storage),
    which refuses a file that refers to one that is missing (a vendored source map, say).
    What no page uses is left out (audit_portal.staticfiles): it made
    collectstatic three times as long, in every deployment and test run."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest and "js/portal.js" in manifest
    assert "swagger-ui-dist/swagger-ui-bundle.js" in manifest  # the API's page
    # left out: what no page uses (the browsable API's files, ReDoc) ...
    assert "rest_framework/" not in manifest and "/redoc/" not in manifest
    # ... and not compressed: source maps, which only a developer's tools fetch
    assert (tmp_path / "js" / "portal.js.gz").exists()
    maps = list(tmp_path.rglob("*.map"))
    assert maps and not list(tmp_path.rglob("*.map.gz")) + list(tmp_path.rglob("*.map.br"))


def test_every_app_with_tests_is_in_the_test_paths():
    """A new app's tests must run in `make test`, not only when named on the command line."""
    import tomllib
    from pathlib import Path

    from django.conf import settings as django_settings

    base = Path(django_settings.BASE_DIR)
    config = tomllib.loads((base / "pyproject.toml").read_text())
    testpaths = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
    with_tests = {
        app.split(".")[0]
        for app in django_settings.INSTALLED_APPS
        if (base / app.split(".")[0] / "tests").is_dir()
    }
    assert with_tests - testpaths == set()


def test_in_production_every_cookie_is_secure_httponly_and_samesite():
    """The language cookie included: set through set_language with production's settings."""
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().post('/i18n/setlang/', {'language': 'en', 'next': '/'}, secure=True);"
        "c = r.cookies['django_language'];"
        "print(bool(c['secure']), bool(c['httponly']), c['samesite'])"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE", "SESSION"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="audit_portal.settings",
        DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL="sqlite:///:memory:",
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.split() == ["True", "True", "Lax"], done.stderr[-2000:]
