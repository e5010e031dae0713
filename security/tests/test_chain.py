"""The security log's hash chain (等保 level 3, 安全审计 c): a row changed, removed or cut off
the end in the database itself is found and named; archived months stay checkable."""

import io
import json
from datetime import timedelta
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from security.chain import first_break
from security.models import AppendOnlyError, ArchivedMonth, Kind, SecurityEvent

TABLE = SecurityEvent._meta.db_table


def add(n, at=None, **fields):
    rows = []
    for i in range(n):
        rows.append(
            SecurityEvent.objects.create(
                kind=Kind.DENIED,
                username=f"user{i}",
                status=403,
                address="10.0.0.1",
                **({"at": at + timedelta(minutes=i)} if at else {}),
                **fields,
            )
        )
    return rows


def verify():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_security_log", stdout=out, stderr=err)
    except SystemExit as exit:
        return exit.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def without_triggers(sql, params):
    """What someone with the database's owner rights could do: the append-only trigger
    switched off for one statement (the test's transaction undoes it all)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no checks pending on the table
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS security_event_no_update")
            cursor.execute(sql, params)


def test_each_row_is_chained_to_the_one_before(db):
    rows = add(3)
    for before, row in pairwise(rows):
        assert row.previous_hash == before.hash
        assert len(row.hash) == 64 and row.content_hash() == row.hash
    code, text = verify()
    assert code == 0 and "完好" in text


def test_a_row_changed_by_sql_is_found(db):
    rows = add(4)
    without_triggers(
        f"UPDATE {TABLE} SET username = 'someone-else' WHERE id = %s",  # noqa: S608
        [rows[2].pk],
    )
    code, text = verify()
    assert code == 1
    assert f"第 {rows[2].pk} 号记录" in text and "被改动过" in text


def test_a_row_changed_with_its_hash_recomputed_is_found_at_the_next_link(db):
    rows = add(4)
    forged = SecurityEvent.objects.get(pk=rows[1].pk)
    forged.username = "someone-else"
    without_triggers(
        f"UPDATE {TABLE} SET username = %s, hash = %s WHERE id = %s",  # noqa: S608
        ["someone-else", forged.content_hash(), rows[1].pk],
    )
    code, text = verify()
    assert code == 1 and f"第 {rows[2].pk} 号记录" in text and "链接断开" in text


def test_a_row_removed_from_the_middle_or_the_end_is_found(db):
    rows = add(4)
    without_triggers(f"DELETE FROM {TABLE} WHERE id = %s", [rows[1].pk])  # noqa: S608
    code, text = verify()
    assert code == 1 and f"第 {rows[2].pk} 号记录" in text
    _checked, broken = first_break()
    assert broken is not None and broken.event_id == rows[2].pk


def test_the_newest_rows_cut_off_are_found(db):
    rows = add(3)
    without_triggers(f"DELETE FROM {TABLE} WHERE id = %s", [rows[2].pk])  # noqa: S608
    code, text = verify()
    assert code == 1 and "末尾" in text


def test_a_young_row_is_not_deleted_even_while_archiving(db):
    (row,) = add(1)
    if connection.vendor == "postgresql":
        # the database itself: the trigger lets the archiving command delete old rows only
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL audit_portal.archiving = 'on'")
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [row.pk])  # noqa: S608
    else:
        # SQLite's test runner empties tables with DELETE (migration 0002): the portal's
        # own code refuses, and the archiving command checks the age itself
        with pytest.raises(AppendOnlyError):
            SecurityEvent.objects.filter(pk=row.pk).delete()
    assert SecurityEvent.objects.filter(pk=row.pk).exists()


def test_a_month_older_than_180_days_is_archived_to_a_signed_file(old_log, tmp_path):
    january, _today = old_log
    out = io.StringIO()
    call_command("archive_security_log", month="2025-01", to=str(tmp_path), stdout=out)
    path = tmp_path / "security-log-2025-01.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines[:-1]] == [r.pk for r in january]
    assert "signature" in json.loads(lines[-1])
    assert not SecurityEvent.objects.filter(pk__in=[r.pk for r in january]).exists()
    assert ArchivedMonth.objects.get().last_hash == january[-1].hash
    assert SecurityEvent.objects.filter(kind=Kind.LOG_ARCHIVED, target=path.name).exists()
    # the chain continues from the archive, and the file checks out
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_security_log", archive=[str(path)], stdout=out, stderr=err)
    assert "签名和哈希链完好" in out.getvalue() and "安全日志完好" in out.getvalue()


def test_a_changed_archive_file_is_found(old_log, tmp_path):
    call_command("archive_security_log", month="2025-01", to=str(tmp_path), stdout=io.StringIO())
    path = tmp_path / "security-log-2025-01.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace("user1", "user9"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("verify_security_log", archive=[str(path)], stdout=io.StringIO(), stderr=err)
    assert exit.value.code == 1 and "签名不符" in err.getvalue()


def test_a_month_younger_than_180_days_cannot_be_archived(old_log, tmp_path):
    month = (timezone.localdate() - timedelta(days=100)).strftime("%Y-%m")
    with pytest.raises(CommandError, match="不满 180 天"):
        call_command("archive_security_log", month=month, to=str(tmp_path))


def test_months_are_archived_oldest_first(old_log, tmp_path):
    with pytest.raises(CommandError, match="请先归档更早的月份"):
        call_command("archive_security_log", month="2025-02", to=str(tmp_path))


def test_an_archive_is_signed_with_hmac_sha256_of_its_rows(old_log, tmp_path, settings):
    """The signature is HMAC-SHA256 keyed by SECRET_KEY (Django's salted_hmac), over the rows
    joined by newlines, computed here independently of the portal's code."""
    import hashlib
    import hmac

    from security.chain import ARCHIVE_SALT

    call_command("archive_security_log", month="2025-01", to=str(tmp_path), stdout=io.StringIO())
    lines = (tmp_path / "security-log-2025-01.jsonl").read_text(encoding="utf-8").splitlines()
    key = hashlib.sha256((ARCHIVE_SALT + settings.SECRET_KEY).encode()).digest()
    expected = hmac.new(key, "\n".join(lines[:-1]).encode(), hashlib.sha256).hexdigest()
    assert json.loads(lines[-1]) == {"signature": expected}


def test_an_archive_without_its_signature_line_is_refused(old_log, tmp_path):
    call_command("archive_security_log", month="2025-01", to=str(tmp_path), stdout=io.StringIO())
    path = tmp_path / "security-log-2025-01.jsonl"
    rows = path.read_text(encoding="utf-8").splitlines()[:-1]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("verify_security_log", archive=[str(path)], stdout=io.StringIO(), stderr=err)
    assert exit.value.code == 1
    assert "文件末尾没有签名：不是完整的归档文件" in err.getvalue()


def test_a_row_removed_and_the_next_relinked_is_found_by_its_hash(db):
    """Each row's hash covers the previous row's hash: pointing the next row at the one
    before the removed row leaves a row whose content no longer matches its hash."""
    rows = add(4)
    without_triggers(f"DELETE FROM {TABLE} WHERE id = %s", [rows[1].pk])  # noqa: S608
    without_triggers(
        f"UPDATE {TABLE} SET previous_hash = %s WHERE id = %s",  # noqa: S608
        [rows[0].hash, rows[2].pk],
    )
    code, text = verify()
    assert code == 1 and f"第 {rows[2].pk} 号记录" in text and "本行内容与其哈希不符" in text


def test_the_first_row_is_checked_too(db):
    add(3)
    first = SecurityEvent.objects.order_by("id").first()
    without_triggers(
        f"UPDATE {TABLE} SET username = 'someone-else' WHERE id = %s",  # noqa: S608
        [first.pk],
    )
    code, text = verify()
    assert code == 1 and f"第 {first.pk} 号记录" in text and "被改动过" in text


def test_the_first_row_removed_is_found(db):
    add(3)
    first, second = SecurityEvent.objects.order_by("id")[:2]
    without_triggers(f"DELETE FROM {TABLE} WHERE id = %s", [first.pk])  # noqa: S608
    code, text = verify()
    assert code == 1 and f"第 {second.pk} 号记录" in text and "日志开头" in text
