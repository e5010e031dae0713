"""A backup restored into an empty installation gives back every row and every file."""

import hashlib
import io
import json
import tarfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection

from archives.models import ArchivePackage
from archives.storage import archive_storage
from audit_portal.backup import BackupError, backed_up_models, create_backup, restore_backup
from checklist.tests.helpers import audit_of
from evidence import services as evidence_services
from evidence.models import EvidenceFile, RequiredDocument, evidence_storage
from reports import services as report_services
from reports.models import IssuedReport
from reports.tests.helpers import scored_and_submitted
from security.events import record
from security.models import Kind


@pytest.fixture
def installation(db, auditor, manager, staff007):
    """朝阳 finalized with an issued report, two evidence files, security events."""
    audit = scored_and_submitted("004", auditor)
    report_services.finalize_and_issue(audit=audit, by=manager)
    huairou = audit_of("007")
    for number, name, content in [(1, "制度.pdf", b"%PDF-1.4 one"), (2, "名单.pdf", b"%PDF-1.4 2")]:
        document = RequiredDocument.objects.get(cycle=huairou.cycle, number=number)
        evidence_services.store_bytes(
            audit=huairou, document=document, name=name, content=content, by=staff007
        )
    record(Kind.DOWNLOAD, user=manager, target="稽核报告.pdf")
    # 朝阳's archive package: a file of the archive store, backed up like the evidence
    content = b"PK\x05\x06" + b"\0" * 18
    name = archive_storage().save("2023/backup-test.zip", ContentFile(content))
    ArchivePackage.objects.create(
        audit=audit_of("004"),
        number="京互稽档-2023-004",
        requested_by=manager,
        status="done",
        file_name=name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    yield
    storage = evidence_storage()
    for key in EvidenceFile.objects.values_list("key", flat=True):
        storage.delete(key)
    for key in ArchivePackage.objects.exclude(file_name="").values_list("file_name", flat=True):
        archive_storage().delete(key)
    ContentType.objects.clear_cache()


def every_row() -> dict[str, list]:
    """Every value of every row, exactly (times to the microsecond, bytes as bytes), and
    every many-to-many link."""
    rows = {}
    for model in backed_up_models():
        manager = model._default_manager.order_by("pk")
        fields = [f.attname for f in model._meta.concrete_fields]
        values = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in manager.values_list(*fields)
        ]
        for m2m in model._meta.local_many_to_many:
            links = manager.filter(**{f"{m2m.name}__isnull": False})
            values.append((m2m.name, sorted(links.values_list("pk", f"{m2m.name}__pk"))))
        rows[model._meta.label] = values
    return rows


def every_file() -> dict[str, str]:
    storage = evidence_storage()
    found = {}
    for key in EvidenceFile.objects.values_list("key", flat=True):
        with storage.open(key, "rb") as stream:
            found[key] = hashlib.sha256(stream.read()).hexdigest()
    for key in ArchivePackage.objects.exclude(file_name="").values_list("file_name", flat=True):
        if archive_storage().exists(key):
            with archive_storage().open(key, "rb") as stream:
                found[f"archives/{key}"] = hashlib.sha256(stream.read()).hexdigest()
    return found


def empty_the_installation() -> None:
    """As after `migrate` on a new server: the portal's tables empty, its files gone."""
    storage = evidence_storage()
    for key in EvidenceFile.objects.values_list("key", flat=True):
        storage.delete(key)
    for key in ArchivePackage.objects.exclude(file_name="").values_list("file_name", flat=True):
        archive_storage().delete(key)
    tables = set()
    for model in backed_up_models():
        tables.add(model._meta.db_table)
        tables.update(
            f.remote_field.through._meta.db_table
            for f in model._meta.local_many_to_many
            if f.remote_field.through._meta.auto_created
        )
    statements = connection.ops.sql_flush(
        no_style(), sorted(tables), reset_sequences=False, allow_cascade=True
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the test's own transaction holds deferred foreign-key checks; TRUNCATE waits
            # for none of them
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in statements:
            cursor.execute(statement)


def test_a_restored_backup_has_every_row_and_every_file(installation, tmp_path):
    rows, files = every_row(), every_file()
    assert len(files) == 3 and IssuedReport.objects.count() == 1
    assert sum(len(r) for r in rows.values()) > 200

    archive = tmp_path / "backup.tar"
    made = create_backup(archive)
    assert (made.evidence_files, made.reports) == (2, 1)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        report = tar.extractfile(next(n for n in names if n.startswith("reports/"))).read()
    assert report.startswith(b"%PDF") and "reports/2023-004-v1.pdf" in names
    assert hashlib.sha256(report).hexdigest() == IssuedReport.objects.get().sha256

    empty_the_installation()
    assert not EvidenceFile.objects.exists() and every_file() == {}

    restored = restore_backup(archive)
    assert restored.total_rows == made.total_rows
    assert every_row() == rows
    assert every_file() == files
    assert all(report.is_intact for report in IssuedReport.objects.all())
    # the sequences go on after the restored rows: new records do not collide
    record(Kind.SIGN_IN, username="after-restore")


def test_restore_refuses_an_installation_that_has_data(installation, tmp_path):
    archive = tmp_path / "backup.tar"
    create_backup(archive)
    before = every_row()
    with pytest.raises(BackupError, match="本安装里已经有数据"):
        restore_backup(archive)
    assert every_row() == before


def _rewrite(archive, tmp_path, change):
    """A copy of the archive with one member changed by `change(name, bytes)`."""
    copy = tmp_path / "changed.tar"
    with tarfile.open(archive) as source, tarfile.open(copy, "w") as target:
        for member in source:
            content = change(member.name, source.extractfile(member).read())
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    return copy


def test_a_damaged_archive_is_refused_before_anything_changes(installation, tmp_path):
    archive = tmp_path / "backup.tar"
    create_backup(archive)
    empty_the_installation()

    def flip(name, content):
        return content + b"x" if name.startswith("evidence/") else content

    with pytest.raises(BackupError, match="备份文件已损坏"):
        restore_backup(_rewrite(archive, tmp_path, flip))
    assert not EvidenceFile.objects.exists() and every_file() == {}


def test_a_backup_from_other_migrations_is_refused(installation, tmp_path):
    archive = tmp_path / "backup.tar"
    create_backup(archive)
    empty_the_installation()

    def older(name, content):
        if name != "manifest.json":
            return content
        manifest = json.loads(content)
        manifest["migrations"]["checklist"] = manifest["migrations"]["checklist"][:1]
        return json.dumps(manifest).encode()

    with pytest.raises(BackupError, match="数据库结构不一致"):
        restore_backup(_rewrite(archive, tmp_path, older))


def test_the_commands_report_in_chinese(installation, tmp_path):
    archive = tmp_path / "b.tar"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "备份完成" in out.getvalue() and "2 个证据文件" in out.getvalue()
    out = io.StringIO()
    call_command("restore", str(archive), "--check", stdout=out)
    assert "备份文件完好" in out.getvalue()
    with pytest.raises(CommandError, match="恢复失败，没有做任何改动"):
        call_command("restore", str(archive), stdout=io.StringIO())
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "missing.tar"))


def test_a_file_missing_from_the_store_stops_the_backup(installation, tmp_path):
    evidence_storage().delete(EvidenceFile.objects.first().key)
    archive = tmp_path / "b.tar"
    with pytest.raises(BackupError, match="在存储中找不到"):
        create_backup(archive)
    assert not archive.exists() and list(tmp_path.iterdir()) == []


def test_a_restore_that_fails_half_way_leaves_nothing_behind(installation, tmp_path):
    from django.core.files.base import ContentFile

    archive = tmp_path / "backup.tar"
    create_backup(archive)
    keys = sorted(EvidenceFile.objects.values_list("key", flat=True))
    empty_the_installation()
    storage = evidence_storage()
    # a file left in the store under one of the backup's keys (copied in by hand, say)
    storage.save(keys[-1], ContentFile(b"not from the backup"))

    with pytest.raises(BackupError, match="无法按原名写入存储"):
        restore_backup(archive)
    assert not EvidenceFile.objects.exists() and not IssuedReport.objects.exists()
    assert not storage.exists(keys[0])  # the file it had written is removed again
    with storage.open(keys[-1], "rb") as stream:
        assert stream.read() == b"not from the backup"  # and what was there is untouched
    assert storage.listdir(keys[-1].rsplit("/", 1)[0])[1] == [keys[-1].rsplit("/", 1)[1]]
    storage.delete(keys[-1])


def test_a_restore_whose_rows_differ_from_its_manifest_is_undone(installation, tmp_path):
    archive = tmp_path / "backup.tar"
    create_backup(archive)
    empty_the_installation()

    def miscount(name, content):
        if name != "manifest.json":
            return content
        manifest = json.loads(content)
        manifest["rows"]["agencies.Agency"] += 1
        return json.dumps(manifest).encode()

    with pytest.raises(BackupError, match="与备份清单不一致"):
        restore_backup(_rewrite(archive, tmp_path, miscount))
    assert not EvidenceFile.objects.exists() and not IssuedReport.objects.exists()
    assert every_file() == {}


def test_every_app_of_the_project_with_tables_is_backed_up():
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings

    from audit_portal.backup import APP_LABELS

    ours = {
        app.label
        for app in apps.get_app_configs()
        if Path(app.path).parent == Path(settings.BASE_DIR) and list(app.get_models())
    }
    assert "rectification" in ours
    assert ours <= set(APP_LABELS)
