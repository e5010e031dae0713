"""`manage.py archive_security_log --month YYYY-MM --to FOLDER`: move one month of the
security log into a signed file and remove it from the database.

Only a month that ended more than 180 days ago (the log keeps every row at least that
long, 等保 level 3 安全审计 c), and only the oldest month still in the database, so that
the chain stays whole: the file holds every row with its hashes and ends with an HMAC
signature (keyed by SECRET_KEY); the database keeps where the chain continues
(ArchivedMonth). `verify_security_log --archive FILE` checks a file.
"""

import hashlib
import json
from datetime import datetime, time, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from security.chain import ARCHIVE_FIELDS, first_break, sign
from security.events import record
from security.models import ArchivedMonth, Kind, SecurityEvent

RETENTION_DAYS = 180


class Command(BaseCommand):
    help = "Archive one month (older than 180 days) of the security log into a signed file."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month, e.g. 2026-01")
        parser.add_argument("--to", required=True, help="the folder for the archive file")

    def handle(self, *args, month, to, **options):
        try:
            first_day = datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            raise CommandError(f"月份应写作 YYYY-MM（如 2026-01），而不是 {month!r}。") from None
        next_month = (first_day.replace(day=28) + timedelta(days=4)).replace(day=1)
        zone = timezone.get_current_timezone()
        start = datetime.combine(first_day, time.min, tzinfo=zone)
        end = datetime.combine(next_month, time.min, tzinfo=zone)
        if end > timezone.now() - timedelta(days=RETENTION_DAYS):
            raise CommandError(
                f"{month} 结束还不满 {RETENTION_DAYS} 天：安全日志至少保留 {RETENTION_DAYS} 天，"
                "不能归档。"
            )
        folder = Path(to)
        if not folder.is_dir():
            raise CommandError(f"找不到文件夹：{folder}")
        older = SecurityEvent.objects.filter(at__lt=start)
        if older.exists():
            raise CommandError(
                f"{month} 之前还有未归档的记录：请先归档更早的月份"
                f"（最早的是 {timezone.localtime(older.order_by('at').first().at):%Y-%m}）。"
            )
        _checked, broken = first_break()
        if broken is not None:
            raise CommandError(
                f"安全日志的哈希链在第 {broken.event_id} 号记录处断开（{broken.reason}），"
                "归档前请先查明原因。"
            )
        rows = list(SecurityEvent.objects.filter(at__lt=end).order_by("id"))
        if not rows:
            raise CommandError(f"{month} 没有需要归档的记录。")
        if SecurityEvent.objects.filter(id__lte=rows[-1].pk, at__gte=end).exists():
            # the chain runs in the order rows were added: a month is archived only as the
            # chain's beginning, never cut out of its middle
            raise CommandError(f"{month} 的记录与之后的记录交错（时钟曾被调回？），无法单独归档。")
        path = folder / f"security-log-{month}.jsonl"
        if path.exists():
            raise CommandError(f"{path} 已经存在，不会覆盖。")
        lines = [json.dumps(_row(event), ensure_ascii=False) for event in rows]
        text = "\n".join([*lines, json.dumps({"signature": sign(lines)})]) + "\n"
        path.write_text(text, encoding="utf-8")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with transaction.atomic():
            ArchivedMonth.objects.create(
                month=first_day,
                first_event_id=rows[0].pk,
                last_event_id=rows[-1].pk,
                last_hash=rows[-1].hash,
                rows=len(rows),
                file_name=path.name,
                file_sha256=digest,
            )
            _delete(rows[0].pk, rows[-1].pk)
            record(
                Kind.LOG_ARCHIVED,
                username="manage.py",
                target=path.name,
                detail=f"{len(rows)} 行，第 {rows[0].pk}–{rows[-1].pk} 号，SHA-256 {digest}",
            )
        self.stdout.write(
            self.style.SUCCESS(f"已归档 {len(rows)} 行到 {path}（SHA-256 {digest}）。")
        )


def _row(event) -> dict:
    row = {name: getattr(event, name) for name in ARCHIVE_FIELDS}
    row["address"] = SecurityEvent._meta.get_field("address").get_prep_value(event.address)
    row["at"] = event.at.isoformat()
    return row


def _delete(first_id: int, last_id: int) -> None:
    """Remove the archived rows. The model refuses deletion; on PostgreSQL the trigger lets
    it through only with this transaction's setting, and only for rows past 180 days."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL audit_portal.archiving = 'on'")
        cursor.execute(
            "DELETE FROM security_securityevent WHERE id BETWEEN %s AND %s", [first_id, last_id]
        )
