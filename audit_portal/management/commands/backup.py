from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit_portal.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write the database, the evidence files and the issued reports into one archive "
        "(default: var/backups/audit-portal-<time>.tar). Restore it with manage.py restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", nargs="?", help="where to write the archive (.tar)")

    def handle(self, *args, archive=None, **options):
        from django.conf import settings

        if archive is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            archive = Path(settings.VAR_DIR) / "backups" / f"audit-portal-{stamp}.tar"
        try:
            summary = create_backup(Path(archive))
        except BackupError as error:
            raise CommandError(f"备份失败：{error}") from None
        size_mb = Path(archive).stat().st_size / 1024 / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{archive}（{size_mb:.1f} MB，{summary.total_rows} 条记录、"
                f"{summary.evidence_files} 个证据文件、{summary.reports} 份已签发报告，"
                f"用时 {summary.seconds:.1f} 秒）。"
            )
        )
