"""Backing up and restoring a whole installation: database, evidence files, issued reports.

A backup is one tar archive:

    manifest.json      format, time (UTC), applied migrations, rows per model, SHA-256 of
                       every other member
    data.json          every row of the portal's records (Django's JSON serialization, with
                       natural keys for content types and permissions, which each
                       installation creates for itself)
    evidence/<key>     every evidence file, under its storage key
    reports/<…>.pdf    every issued report, readable without the portal; the database rows
                       hold the same bytes

The database is read in one snapshot (REPEATABLE READ on PostgreSQL; one read transaction
on SQLite), and the archive is written beside its destination and renamed into place only
when complete, so a backup interrupted half-way never looks like a good one.

Restoring checks the whole archive (every SHA-256) before it changes anything, only into an
installation with no records yet and at the same migrations, in one transaction; the files
it wrote are removed again if the database part fails.
"""

import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dt_time
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
# Apps whose every row is backed up. Left out: content types and permissions (made by
# migrate), sessions (people sign in again), axes' attempt counters and the task queue
# (transient).
APP_LABELS = (
    "auth",
    "accounts",
    "admin",
    "agencies",
    "checklist",
    "notifications",
    "evidence",
    "selfassessment",
    "rectification",
    "procedure",
    "archives",
    "reports",
    "security",
    "api",
)
# reports.datachange: notes the database triggers write, meaningful only beside the files
# built since (which a backup does not keep)
SKIPPED_MODELS = {"auth.permission", "reports.datachange"}
CHUNK = 1024 * 1024


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder keeps times to the millisecond only; a restored row must be the row
    that was backed up, so times keep their microseconds here."""

    def default(self, o):
        if isinstance(o, datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt_time):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


def backed_up_models():
    models = [
        model
        for label in APP_LABELS
        for model in apps.get_app_config(label).get_models()
        if model._meta.label_lower not in SKIPPED_MODELS
    ]
    return serializers.sort_dependencies([(None, models)], allow_cycles=True)


def applied_migrations() -> dict[str, list[str]]:
    applied = MigrationRecorder(connection).applied_migrations()
    return {
        label: sorted(name for app, name in applied if app == label)
        for label in sorted({app for app, _name in applied})
    }


def _sha256_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(mtime)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(content))


class _HashingReader(io.RawIOBase):
    def __init__(self, stream):
        self.stream = stream
        self.digest = hashlib.sha256()

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.stream.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


@dataclass
class Summary:
    rows: dict[str, int] = field(default_factory=dict)
    evidence_files: int = 0
    evidence_bytes: int = 0
    reports: int = 0
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@contextmanager
def _snapshot():
    """One consistent view of the database for the whole backup."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def create_backup(destination: Path) -> Summary:
    from archives.models import ArchivePackage
    from archives.storage import archive_storage
    from evidence.models import EvidenceFile, evidence_storage
    from reports.models import IssuedReport

    started = time.monotonic()
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    now = time.time()
    summary = Summary()
    hashes: dict[str, str] = {}
    partial = tempfile.NamedTemporaryFile(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".partial", delete=False
    )
    try:
        with tarfile.open(fileobj=partial, mode="w") as archive:
            # The database in one snapshot, held only while its rows are read: on SQLite a
            # transaction keeps writers waiting, so the files are copied after it.
            with _snapshot():
                hashes["data.json"] = _add_rows(archive, summary, now)
                for report in IssuedReport.objects.select_related("audit__agency", "audit__cycle"):
                    content = bytes(report.content)
                    name = (
                        f"reports/{report.audit.cycle.year}-{report.audit.agency.code}"
                        f"-v{report.version}.pdf"
                    )
                    _add_bytes(archive, name, content, now)
                    hashes[name] = hashlib.sha256(content).hexdigest()
                    summary.reports += 1
                files = list(
                    EvidenceFile.objects.order_by("pk").values_list(
                        "key", "original_name", "size", "sha256"
                    )
                )
                packages = list(
                    ArchivePackage.objects.exclude(file_name="")
                    .order_by("pk")
                    .values_list("file_name", "number", "size", "sha256")
                )
                migrations = applied_migrations()

            # Stored files never change (new content gets a new key), so the files of the
            # snapshot's rows are its files; one removed since then stops the backup.
            storage = evidence_storage()
            for key, original_name, size, sha256 in files:
                hashes[f"evidence/{key}"] = _add_evidence(
                    archive, storage, key, original_name, size, sha256, now
                )
                summary.evidence_files += 1
                summary.evidence_bytes += size
            # 稽核档案 packages: records too, under archives/ (restored to the archive store)
            archives = archive_storage()
            for key, number, size, sha256 in packages:
                hashes[f"archives/{key}"] = _add_evidence(
                    archive, archives, key, number, size, sha256, now, folder="archives"
                )

            manifest = {
                "format": FORMAT,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database_vendor": connection.vendor,
                "migrations": migrations,
                "rows": summary.rows,
                "sha256": hashes,
            }
            _add_bytes(
                archive,
                "manifest.json",
                json.dumps(manifest, ensure_ascii=False, indent=1).encode(),
                now,
            )
        partial.flush()
        os.fsync(partial.fileno())
        partial.close()
        os.chmod(partial.name, 0o600)
        os.replace(partial.name, destination)
    except BaseException:
        partial.close()
        Path(partial.name).unlink(missing_ok=True)
        raise
    summary.seconds = time.monotonic() - started
    return summary


def _add_rows(archive: tarfile.TarFile, summary: Summary, now: float) -> str:
    """data.json: every row of the backed-up models, written through a temporary file so
    that memory stays flat however large the tables; returns its SHA-256."""
    digest = hashlib.sha256()
    with tempfile.TemporaryFile() as data:
        writer = _DigestWriter(data, digest)
        writer.write("[")
        first = True
        for model in backed_up_models():
            count = 0
            for obj in model._default_manager.order_by("pk").iterator(chunk_size=200):
                text = serializers.serialize(
                    "json", [obj], use_natural_foreign_keys=True, cls=ExactJSONEncoder
                )
                writer.write(("" if first else ",\n") + text[1:-1])
                first = False
                count += 1
            summary.rows[model._meta.label] = count
        writer.write("]\n")
        info = tarfile.TarInfo("data.json")
        info.size, info.mtime, info.mode = data.tell(), int(now), 0o600
        data.seek(0)
        archive.addfile(info, data)
    return digest.hexdigest()


def _add_evidence(
    archive, storage, key, original_name, size, sha256, now, folder="evidence"
) -> str:
    try:
        stream = storage.open(key, "rb")
    except FileNotFoundError:
        raise BackupError(
            f"证据文件 {key}（{original_name}）在存储中找不到（可能刚被删除）。"
            "请重新运行备份；如仍如此，运行 manage.py cleanup_evidence --dry-run 查看缺失的文件。"
        ) from None
    with stream:
        info = tarfile.TarInfo(f"{folder}/{key}")
        info.size, info.mtime, info.mode = size, int(now), 0o600
        reader = _HashingReader(stream)
        archive.addfile(info, io.BufferedReader(reader, CHUNK))
    if reader.digest.hexdigest() != sha256:
        raise BackupError(
            f"证据文件 {key}（{original_name}）的内容与记录的 SHA-256 不一致，文件可能已损坏。"
            "备份已停止，请联系系统管理员。"
        )
    return sha256


class _DigestWriter:
    def __init__(self, stream, digest):
        self.stream, self.digest = stream, digest

    def write(self, text: str) -> None:
        data = text.encode()
        self.digest.update(data)
        self.stream.write(data)


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember("manifest.json")
    except KeyError:
        raise BackupError("这不是稽核平台的备份文件（缺少 manifest.json）。") from None
    manifest = json.loads(archive.extractfile(member).read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')}。")
    return manifest


def verify_archive(path: Path) -> dict:
    """Every member's SHA-256 against the manifest; nothing else in the archive."""
    try:
        archive = tarfile.open(path, mode="r:")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"无法读取备份文件 {path}：{error}") from None
    with archive:
        manifest = _read_manifest(archive)
        expected = dict(manifest["sha256"])
        for member in archive:
            if member.name == "manifest.json":
                continue
            if member.name not in expected or not member.isfile():
                raise BackupError(f"备份文件里有清单之外的内容：{member.name}，不予恢复。")
            digest = hashlib.sha256()
            stream = archive.extractfile(member)
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
            if digest.hexdigest() != expected.pop(member.name):
                raise BackupError(f"备份文件已损坏：{member.name} 的 SHA-256 不符，不予恢复。")
        if expected:
            raise BackupError(
                f"备份文件不完整，缺少 {len(expected)} 个成员，例如 {next(iter(expected))}。"
            )
    return manifest


def _installation_rows() -> dict[str, int]:
    counts = {model._meta.label: model._default_manager.count() for model in backed_up_models()}
    return {label: count for label, count in counts.items() if count}


def restore_backup(path: Path) -> Summary:
    from archives.storage import archive_storage
    from evidence.models import evidence_storage

    started = time.monotonic()
    path = Path(path)
    manifest = verify_archive(path)
    here = applied_migrations()
    for label in APP_LABELS:
        if manifest["migrations"].get(label, []) != here.get(label, []):
            raise BackupError(
                f"备份与本安装的数据库结构不一致（{label} 的迁移不同）。"
                "请用与备份时相同版本的平台恢复，再升级。"
            )
    existing = _installation_rows()
    if existing:
        listed = "、".join(f"{label} {count} 条" for label, count in list(existing.items())[:5])
        raise BackupError(
            f"本安装里已经有数据（{listed}）。恢复只能在刚完成 migrate 的空安装上进行，"
            "以免覆盖现有数据。"
        )

    storage = evidence_storage()
    archives = archive_storage()
    written: list[str] = []
    written_packages: list[str] = []
    summary = Summary()
    try:
        with tarfile.open(path, mode="r:") as archive, transaction.atomic():
            data = archive.extractfile("data.json")
            objects = serializers.deserialize("json", data, handle_forward_references=True)
            deferred = []
            for obj in objects:
                obj.save(using=DEFAULT_DB_ALIAS)
                if obj.deferred_fields:
                    deferred.append(obj)
                label = obj.object._meta.label
                summary.rows[label] = summary.rows.get(label, 0) + 1
            for obj in deferred:
                obj.save_deferred_fields(using=DEFAULT_DB_ALIAS)
            _reset_sequences()
            for member in archive:
                if member.name.startswith("archives/"):
                    key = member.name.removeprefix("archives/")
                    stored = archives.save(key, archive.extractfile(member))
                    written_packages.append(stored)
                    if stored != key:
                        raise BackupError(f"档案包 {key} 无法按原名写入存储（已有同名文件）。")
                    continue
                if not member.name.startswith("evidence/"):
                    continue
                key = member.name.removeprefix("evidence/")
                stored = storage.save(key, archive.extractfile(member))
                written.append(stored)
                if stored != key:
                    raise BackupError(f"证据文件 {key} 无法按原名写入存储（已有同名文件）。")
                summary.evidence_files += 1
                summary.evidence_bytes += member.size
            summary.reports = sum(1 for name in manifest["sha256"] if name.startswith("reports/"))
            if summary.rows != {k: v for k, v in manifest["rows"].items() if v}:
                raise BackupError("恢复后的记录条数与备份清单不一致，已全部撤销。")
    except BaseException:
        for key in written:
            storage.delete(key)
        for key in written_packages:
            archives.delete(key)
        raise
    summary.seconds = time.monotonic() - started
    return summary


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), backed_up_models())
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
