import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from evidence.models import EvidenceFile, evidence_storage

# A stored file younger than this may belong to an upload whose row is being written.
GRACE_SECONDS = 3600


class Command(BaseCommand):
    help = (
        "Find stored evidence files without a database row (left by a crash during an upload "
        "or a removal) and rows whose file is gone; remove the stray files. --dry-run only lists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")
        parser.add_argument(
            "--grace",
            type=int,
            default=GRACE_SECONDS,
            help="ignore files younger than this (seconds)",
        )

    def handle(self, *args, dry_run=False, grace=GRACE_SECONDS, **options):
        storage = evidence_storage()
        known = set(EvidenceFile.objects.values_list("key", flat=True))
        stored = set(self._walk(storage, ""))
        now = time.time()
        strays = []
        for key in sorted(stored - known):
            if now - storage.get_modified_time(key).timestamp() >= grace:
                strays.append(key)
        for key in strays:
            self.stdout.write(f"没有记录的文件：{key}")
            if not dry_run:
                storage.delete(key)
        missing = sorted(known - stored)
        for key in missing:
            self.stdout.write(self.style.ERROR(f"记录对应的文件不存在：{key}"))
        incoming = self._stale_incoming(now, grace)
        for path in incoming:
            self.stdout.write(f"未完成的上传临时文件：{path}")
            if not dry_run:
                os.remove(path)
        verb = "发现" if dry_run else "已清理"
        self.stdout.write(
            f"{verb} {len(strays)} 个没有记录的文件、{len(incoming)} 个临时文件；"
            f"{len(missing)} 条记录缺少文件。"
        )
        return None

    def _walk(self, storage, prefix):
        directories, files = storage.listdir(prefix)
        for name in files:
            yield f"{prefix}{name}"
        for directory in directories:
            if directory.startswith("."):
                continue
            yield from self._walk(storage, f"{prefix}{directory}/")

    def _stale_incoming(self, now, grace):
        folder = settings.FILE_UPLOAD_TEMP_DIR
        if not os.path.isdir(folder):
            return []
        return [
            os.path.join(folder, name)
            for name in os.listdir(folder)
            if now - os.path.getmtime(os.path.join(folder, name)) >= grace
        ]
