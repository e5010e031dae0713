"""`manage.py check --deploy`: can the front server read the files it is asked to send?

With EVIDENCE_X_ACCEL_REDIRECT_PREFIX set, the portal checks the permission and nginx sends
the file, as its own user (www-data on Debian). The store must then be readable by a group
that user belongs to, and by nobody else.
"""

import grp
import os
import pwd
import stat
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# Enough to catch files stored before the modes changed, cheap enough for every check.
SAMPLE_LIMIT = 2000


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def user_in_group(user: str, gid: int) -> bool | None:
    """Whether ``user`` can read as group ``gid``; None when there is no such user."""
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return None
    if entry.pw_gid == gid:
        return True
    try:
        return user in grp.getgrgid(gid).gr_mem
    except KeyError:
        return False


def unreadable_entries(root: Path, gid: int, limit: int = SAMPLE_LIMIT) -> tuple[int, int]:
    """(entries looked at, entries the group cannot read) under ``root``, the uploads in
    progress left out."""
    seen = bad = 0
    incoming = Path(settings.FILE_UPLOAD_TEMP_DIR).resolve()
    for folder, directories, files in os.walk(root):
        if Path(folder).resolve() == incoming:
            directories[:] = []
            continue
        directories[:] = [d for d in directories if (Path(folder) / d).resolve() != incoming]
        for name, needed in [(d, stat.S_IRGRP | stat.S_IXGRP) for d in directories] + [
            (f, stat.S_IRGRP) for f in files
        ]:
            seen += 1
            info = os.lstat(Path(folder) / name)
            if info.st_gid != gid or info.st_mode & needed != needed:
                bad += 1
            if seen >= limit:
                return seen, bad
    return seen, bad


@register(Tags.security, deploy=True)
def front_server_can_read_evidence(app_configs, **kwargs):
    if not settings.EVIDENCE_X_ACCEL_REDIRECT_PREFIX:
        return []
    root = Path(settings.EVIDENCE_ROOT)
    try:
        info = root.stat()
    except OSError as error:
        return [Error(f"The evidence folder {root} cannot be read: {error}.", id="evidence.E001")]
    group = _group_name(info.st_gid)
    fix = (
        f"chgrp -R {group} {root} && chmod -R g+rX,g-w,o-rwx {root} && "
        f"find {root} -type d -exec chmod g+s {{}} +"
    )
    problems = []
    if info.st_mode & (stat.S_IRGRP | stat.S_IXGRP) != stat.S_IRGRP | stat.S_IXGRP:
        problems.append(
            Error(
                f"EVIDENCE_X_ACCEL_REDIRECT_PREFIX is set, but the evidence folder {root} is "
                f"mode {stat.filemode(info.st_mode)}: nginx cannot open it and every download "
                "would fail with 403.",
                hint=f"As root: {fix}",
                id="evidence.E002",
            )
        )
    if not settings.FILE_UPLOAD_PERMISSIONS or not settings.FILE_UPLOAD_PERMISSIONS & stat.S_IRGRP:
        problems.append(
            Error(
                "EVIDENCE_X_ACCEL_REDIRECT_PREFIX is set, but FILE_UPLOAD_PERMISSIONS does not "
                "let the group read new files: nginx could not send them.",
                hint="Keep the portal's default, 0o640.",
                id="evidence.E003",
            )
        )
    member = user_in_group(settings.EVIDENCE_FRONT_SERVER_USER, info.st_gid)
    if member is None:
        problems.append(
            Warning(
                f"There is no user {settings.EVIDENCE_FRONT_SERVER_USER!r} to check: set "
                "EVIDENCE_FRONT_SERVER_USER to the user nginx's workers run as.",
                id="evidence.W001",
            )
        )
    elif not member:
        problems.append(
            Error(
                f"nginx's user {settings.EVIDENCE_FRONT_SERVER_USER!r} is not in the group "
                f"{group!r} of the evidence folder {root}: every download would fail with 403.",
                hint=f"As root: usermod -aG {group} {settings.EVIDENCE_FRONT_SERVER_USER} "
                "&& systemctl restart nginx",
                id="evidence.E004",
            )
        )
    if info.st_mode & stat.S_IRWXO or (settings.FILE_UPLOAD_PERMISSIONS or 0) & stat.S_IRWXO:
        problems.append(
            Warning(
                f"The evidence folder {root} or new files in it are open to every user of "
                "the server; only the portal and nginx should read them.",
                hint=f"As root: {fix}",
                id="evidence.W002",
            )
        )
    seen, bad = unreadable_entries(root, info.st_gid)
    if bad:
        problems.append(
            Error(
                f"{bad} of the first {seen} files and folders in {root} cannot be read by the "
                f"group {group!r} (stored before the modes changed, or copied in by hand): nginx "
                "would answer 403 for them.",
                hint=f"As root: {fix}",
                id="evidence.E005",
            )
        )
    return problems
