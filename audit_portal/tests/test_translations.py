"""The Chinese catalogue is complete: every translatable string of the code has a translation.

The test extracts the strings afresh with makemessages (into a temporary folder, leaving the
committed catalogue alone) and compares them with locale/zh_Hans.
"""

import shutil
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


# Every app of the project (found, not listed, so that a new one cannot be left out), and
# the templates.
SOURCE_DIRS = [
    *sorted(
        {
            Path(app.path).name
            for app in apps.get_app_configs()
            if Path(app.path).parent == Path(settings.BASE_DIR)
        }
    ),
    "templates",
]


def test_every_app_of_the_project_is_searched():
    assert {"accounts", "agencies", "audit_portal", "checklist", "evidence", "reports"} < set(
        SOURCE_DIRS
    )
    assert "security" in SOURCE_DIRS


@pytest.fixture
def extracted(tmp_path, settings, monkeypatch):
    if shutil.which("xgettext") is None:
        pytest.fail(
            "GNU gettext is not installed (apt-get install gettext); make test installs it."
        )
    # makemessages writes into any locale folder it finds beside the sources, so it runs on
    # a copy of the sources with an empty locale folder of its own.
    tree = tmp_path / "src"
    for name in SOURCE_DIRS:
        shutil.copytree(
            Path(settings.BASE_DIR) / name,
            tree / name,
            ignore=shutil.ignore_patterns("tests", "__pycache__", "migrations"),
        )
    (tree / "locale").mkdir()
    settings.LOCALE_PATHS = [tree / "locale"]
    monkeypatch.chdir(tree)
    call_command("makemessages", locale=["zh_Hans"], no_location=True, verbosity=0)
    return polib.pofile(str(tree / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))


def test_every_string_in_the_code_has_a_chinese_translation(extracted):
    committed = polib.pofile(str(CATALOGUE / "django.po"))
    translated = {
        (entry.msgctxt, entry.msgid)
        for entry in committed
        if entry.translated() and not entry.obsolete
    }
    missing = [e.msgid for e in extracted if (e.msgctxt, e.msgid) not in translated]
    assert not missing, f"strings without a Chinese translation (run makemessages): {missing}"


def test_the_compiled_catalogue_matches_the_source():
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.pofile(str(CATALOGUE / "django.po"))
        if e.translated()
    }
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.mofile(str(CATALOGUE / "django.mo"))
        if e.msgid
    }
    assert compiled == source, "django.mo is stale: run `make messages`"
