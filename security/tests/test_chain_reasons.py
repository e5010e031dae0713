"""The chain's checks say exactly what broke and where (the words the security auditor reads),
and an archive is checked link by link even when its signature is good (a file re-signed
by someone holding the key)."""

import io
import json

from django.core.management import call_command

from security.chain import check_archive, first_break, sign
from security.models import ChainHead

from .test_chain import TABLE, add, without_triggers


def _break():
    _checked, broken = first_break()
    assert broken is not None
    return broken


def test_a_removed_row_breaks_the_link_of_the_next(db):
    rows = add(4)
    without_triggers(f"DELETE FROM {TABLE} WHERE id = %s", [rows[1].pk])  # noqa: S608
    broken = _break()
    assert (broken.event_id, broken.reason) == (
        rows[2].pk,
        "与前一行的链接断开：前一行被删除、插入或改动过",
    )


def test_a_break_at_the_second_row_is_a_broken_link_not_the_start(db):
    without_triggers(f"DELETE FROM {TABLE}", [])  # noqa: S608
    ChainHead.objects.all().delete()
    rows = add(3)
    without_triggers(f"DELETE FROM {TABLE} WHERE id = %s", [rows[1].pk])  # noqa: S608
    checked, broken = first_break()
    assert checked == 2
    assert broken.reason == "与前一行的链接断开：前一行被删除、插入或改动过"
    without_triggers(f"DELETE FROM {TABLE} WHERE id = %s", [rows[0].pk])  # noqa: S608
    checked, broken = first_break()
    assert checked == 1 and broken.reason == "日志开头与已归档部分接不上：最早的行被删除过"


def test_a_changed_row_says_so(db):
    rows = add(2)
    without_triggers(
        f"UPDATE {TABLE} SET username = 'someone-else' WHERE id = %s",  # noqa: S608
        [rows[1].pk],
    )
    broken = _break()
    assert (broken.event_id, broken.reason) == (rows[1].pk, "本行内容与其哈希不符：本行被改动过")


def test_the_newest_rows_cut_off_name_the_row_the_chain_ended_at(db):
    rows = add(3)
    without_triggers(f"DELETE FROM {TABLE} WHERE id = %s", [rows[2].pk])  # noqa: S608
    broken = _break()
    assert (broken.event_id, broken.reason) == (
        rows[2].pk,
        "日志末尾的行被删除过：链尾记录的哈希找不到",
    )


def _archived_rows(tmp_path) -> list[str]:
    call_command("archive_security_log", month="2025-01", to=str(tmp_path), stdout=io.StringIO())
    text = (tmp_path / "security-log-2025-01.jsonl").read_text(encoding="utf-8")
    return text.splitlines()[:-1]


def _signed(rows: list[str]) -> str:
    return "\n".join([*rows, json.dumps({"signature": sign(rows)})]) + "\n"


def test_an_archive_re_signed_after_a_row_was_taken_out_is_found_at_that_row(old_log, tmp_path):
    rows = _archived_rows(tmp_path)
    assert check_archive(_signed(rows)) == (3, None)
    assert check_archive(_signed([rows[0], rows[2]])) == (2, "第 2 行与前一行的链接断开")
    changed = json.loads(rows[2]) | {"username": "someone-else"}
    tampered = [rows[0], rows[1], json.dumps(changed, ensure_ascii=False)]
    assert check_archive(_signed(tampered)) == (3, "第 3 行内容与其哈希不符")


def test_a_later_months_archive_starts_from_the_month_before(old_log, tmp_path):
    """Its first row links to the last hash of the month before, not to nothing."""
    rows = _archived_rows(tmp_path)
    assert json.loads(rows[1])["previous_hash"] != ""
    assert check_archive(_signed(rows[1:])) == (2, None)


def test_an_archive_without_a_signature_or_with_a_wrong_one_says_which(old_log, tmp_path):
    rows = _archived_rows(tmp_path)
    assert check_archive("\n".join(rows) + "\n") == (0, "文件末尾没有签名：不是完整的归档文件")
    wrong = "\n".join([*rows, json.dumps({"signature": "0" * 64})]) + "\n"
    assert check_archive(wrong) == (
        3,
        "签名不符：文件被改动过，或不是用本系统的密钥（SECRET_KEY）签名的",
    )
