"""`manage.py verify_security_log [--archive FILE ...]`: follow the security log's hash chain
and name the first broken link (等保 level 3, 安全审计 c: records protected against change,
deletion and insertion). Status 1 when the chain is broken, so a scheduled run can alert."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from security.chain import check_archive, first_break


class Command(BaseCommand):
    help = "Check the security log's hash chain (and archived months); status 1 on a break."

    def add_arguments(self, parser):
        parser.add_argument(
            "--archive",
            action="append",
            default=[],
            metavar="FILE",
            help="also check an archive file written by archive_security_log",
        )

    def handle(self, *args, **options):
        broken = False
        for name in options["archive"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"找不到归档文件：{path}")
            rows, problem = check_archive(path.read_text(encoding="utf-8"))
            if problem:
                broken = True
                self.stderr.write(f"归档文件 {path}：{problem}。")
            else:
                self.stdout.write(f"归档文件 {path}：{rows} 行，签名和哈希链完好。")
        checked, found = first_break()
        if found is not None:
            self.stderr.write(
                f"安全日志的哈希链在第 {found.event_id} 号记录处断开：{found.reason}。"
                f"（已检查 {checked} 行）"
            )
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(f"安全日志完好：{checked} 行，哈希链从头到尾相连。"))
        if broken:
            raise SystemExit(1)
