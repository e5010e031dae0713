"""`manage.py check --deploy` tells when nginx could not read the files it is to send."""

import grp
import os
import pwd

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from evidence.apps import make_private_folder
from evidence.checks import front_server_can_read_evidence

# A user that shares the test process's group (its primary group), and one that does not.
ME = pwd.getpwuid(os.getuid()).pw_name
STRANGER = next(
    (
        entry.pw_name
        for entry in pwd.getpwall()
        if entry.pw_gid != os.getgid() and entry.pw_name not in grp.getgrgid(os.getgid()).gr_mem
    ),
    None,
)


@pytest.fixture
def store(settings, tmp_path):
    root = tmp_path / "evidence"
    make_private_folder(root, 0o2750)
    settings.EVIDENCE_ROOT = root
    settings.FILE_UPLOAD_TEMP_DIR = root / ".incoming"
    make_private_folder(settings.FILE_UPLOAD_TEMP_DIR, 0o700)
    settings.EVIDENCE_X_ACCEL_REDIRECT_PREFIX = "/protected-evidence/"
    settings.EVIDENCE_FRONT_SERVER_USER = ME
    settings.FILE_UPLOAD_PERMISSIONS = 0o640
    (root / "2023" / "004").mkdir(parents=True)
    for folder in (root / "2023", root / "2023" / "004"):
        folder.chmod(0o2750)
    stored = root / "2023" / "004" / "abc"
    stored.write_bytes(b"%PDF-1.4")
    stored.chmod(0o640)
    (settings.FILE_UPLOAD_TEMP_DIR / "upload-in-progress").write_bytes(b"x")
    return root


def ids():
    return [problem.id for problem in front_server_can_read_evidence(None)]


def test_the_documented_set_up_passes(store):
    assert ids() == []


def test_nothing_is_checked_when_the_portal_sends_files_itself(store, settings):
    settings.EVIDENCE_X_ACCEL_REDIRECT_PREFIX = ""
    store.chmod(0o700)
    assert ids() == []


def test_a_folder_the_group_cannot_open(store):
    store.chmod(0o700)  # what the portal used to create
    assert "evidence.E002" in ids()


def test_new_files_the_group_could_not_read(store, settings):
    settings.FILE_UPLOAD_PERMISSIONS = 0o600
    assert "evidence.E003" in ids()


def test_nginx_user_outside_the_group(store, settings):
    # every Debian has such users (nobody, www-data); a machine without one cannot run this
    assert STRANGER is not None, "no user outside the test process's group to try"
    settings.EVIDENCE_FRONT_SERVER_USER = STRANGER
    problems = front_server_can_read_evidence(None)
    assert [p.id for p in problems] == ["evidence.E004"]
    assert f"usermod -aG {grp.getgrgid(store.stat().st_gid).gr_name} {STRANGER}" in (
        problems[0].hint
    )


def test_an_unknown_nginx_user_is_a_warning(store, settings):
    settings.EVIDENCE_FRONT_SERVER_USER = "no-such-user-here"
    assert ids() == ["evidence.W001"]


def test_files_open_to_everyone_are_a_warning(store, settings):
    settings.FILE_UPLOAD_PERMISSIONS = 0o644
    assert ids() == ["evidence.W002"]


def test_files_stored_before_the_modes_changed(store):
    (store / "2023" / "004" / "abc").chmod(0o600)
    problems = front_server_can_read_evidence(None)
    assert [p.id for p in problems] == ["evidence.E005"]
    assert "1 of the first" in problems[0].msg and "chmod -R g+rX" in problems[0].hint


def test_uploads_in_progress_are_not_the_front_servers_business(store, settings):
    # .incoming is 0700 with a 0600 file in it, and that is right
    assert ids() == []


def test_check_deploy_fails_on_it(store, settings):
    store.chmod(0o700)
    with pytest.raises(SystemCheckError, match=r"evidence\.E002"):
        call_command("check", "--deploy", "--tag", "security")
