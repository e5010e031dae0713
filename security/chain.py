"""Checking the security log's hash chain, in the database and in archived months."""

import json
from dataclasses import dataclass
from datetime import datetime

from django.utils.crypto import constant_time_compare, salted_hmac

from .models import ArchivedMonth, ChainHead, SecurityEvent, chain_hash

ARCHIVE_SALT = "audit_portal.security-log-archive"


@dataclass
class Break:
    event_id: int | None
    reason: str


def first_break() -> tuple[int, Break | None]:
    """(rows checked, the first broken link or None). Rows are read in the order they were
    added; the chain starts from the last archived month's final hash (or nothing)."""
    archived = ArchivedMonth.objects.order_by("-month").first()
    previous = archived.last_hash if archived else ""
    checked = 0
    for event in SecurityEvent.objects.order_by("id").iterator(chunk_size=2000):
        checked += 1
        if event.previous_hash != previous:
            return checked, Break(
                event.pk,
                "与前一行的链接断开：前一行被删除、插入或改动过"
                if checked > 1
                else "日志开头与已归档部分接不上：最早的行被删除过",
            )
        if event.content_hash() != event.hash:
            return checked, Break(event.pk, "本行内容与其哈希不符：本行被改动过")
        previous = event.hash
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.hash != previous:
        return checked, Break(head.event_id, "日志末尾的行被删除过：链尾记录的哈希找不到")
    return checked, None


def sign(lines: list[str]) -> str:
    """The HMAC-SHA256 (keyed by SECRET_KEY) of an archive's rows."""
    return salted_hmac(ARCHIVE_SALT, "\n".join(lines), algorithm="sha256").hexdigest()


def check_archive(text: str) -> tuple[int, str | None]:
    """(rows, problem or None) for an archive file written by archive_security_log."""
    lines = text.rstrip("\n").split("\n")
    if not lines or not lines[-1].startswith('{"signature"'):
        return 0, "文件末尾没有签名：不是完整的归档文件"
    rows, signature = lines[:-1], json.loads(lines[-1])["signature"]
    if not constant_time_compare(sign(rows), signature):
        return len(rows), "签名不符：文件被改动过，或不是用本系统的密钥（SECRET_KEY）签名的"
    previous = None
    for number, line in enumerate(rows, start=1):
        row = json.loads(line)
        if previous is not None and row["previous_hash"] != previous:
            return len(rows), f"第 {number} 行与前一行的链接断开"
        values = [row[name] for name in ARCHIVE_FIELDS[2:-1]]
        at = datetime.fromisoformat(row["at"])
        if chain_hash(row["previous_hash"], at, *values) != row["hash"]:
            return len(rows), f"第 {number} 行内容与其哈希不符"
        previous = row["hash"]
    return len(rows), None


# the columns of an archive row, in the order of the hash's content
ARCHIVE_FIELDS = (
    "id",
    "previous_hash",
    "kind",
    "user_id",
    "username",
    "address",
    "method",
    "path",
    "status",
    "target",
    "request_id",
    "detail",
    "hash",
)
