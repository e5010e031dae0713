from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit_portal.backup import BackupError, restore_backup, verify_archive


class Command(BaseCommand):
    help = (
        "Bring back a backup made by manage.py backup into an empty installation (after "
        "migrate, before anything else). Every file's SHA-256 is checked first. "
        "--check only verifies the archive."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the backup archive (.tar)")
        parser.add_argument(
            "--check", action="store_true", help="only verify the archive; change nothing"
        )

    def handle(self, *args, archive, check=False, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"找不到备份文件：{path}")
        try:
            if check:
                manifest = verify_archive(path)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"备份文件完好：{len(manifest['sha256'])} 个成员的 SHA-256 全部一致"
                        f"（备份时间 {manifest['created_at']} UTC）。"
                    )
                )
                return
            summary = restore_backup(path)
        except BackupError as error:
            raise CommandError(f"恢复失败，没有做任何改动：{error}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成：{summary.total_rows} 条记录、{summary.evidence_files} 个证据文件、"
                f"{summary.reports} 份已签发报告（用时 {summary.seconds:.1f} 秒）。"
                "请运行 manage.py cleanup_evidence --dry-run 复核。"
            )
        )
