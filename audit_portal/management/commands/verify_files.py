"""`manage.py verify_files`: every stored file and issued report held to its SHA-256
(等保 数据完整性, issue 17 item 6).

Evidence and proof files are read from their storage (a folder or an object store) in
chunks and compared with the size and SHA-256 recorded at upload; issued reports and 整改
情况报告 with the SHA-256 recorded when they were issued. Every mismatch is named; the
command ends with status 1 when there is one, so that a scheduled run can alert.
"""

import hashlib

from django.core.management.base import BaseCommand, CommandError

CHUNK = 1024 * 1024


def _stored_digest(storage, key) -> tuple[int, str] | None:
    """(size, SHA-256) of a stored file, or None when the storage has no such file."""
    try:
        stream = storage.open(key, "rb")
    except FileNotFoundError:
        return None
    digest, size = hashlib.sha256(), 0
    with stream:
        for block in iter(lambda: stream.read(CHUNK), b""):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def evidence_problems():
    """(checked, [problem]) for every evidence and proof file."""
    from evidence.models import EvidenceFile, evidence_storage

    storage, checked, problems = evidence_storage(), 0, []
    files = EvidenceFile.objects.select_related("audit__agency", "audit__cycle").order_by("pk")
    for file in files.iterator(chunk_size=500):
        checked += 1
        where = (
            f"证据文件 #{file.pk}（{file.audit.cycle.year} {file.audit.agency.code} "
            f"{file.original_name}）"
        )
        found = _stored_digest(storage, file.key)
        if found is None:
            problems.append(f"{where}：存储中找不到。")
        elif found != (file.size, file.sha256):
            problems.append(f"{where}：内容与上传时记录的大小或 SHA-256 不一致。")
    return checked, problems


def report_problems():
    """(checked, [problem]) for every issued report and 整改情况报告."""
    from reports.models import IssuedReport, RectificationReport

    checked, problems = 0, []
    for model, label in ((IssuedReport, "稽核报告"), (RectificationReport, "整改情况报告")):
        for report in model.objects.order_by("pk").iterator(chunk_size=50):
            checked += 1
            if not report.is_intact:
                problems.append(
                    f"{label} {report.number}（第 {report.version} 版）：内容与出具时记录的 "
                    f"SHA-256 不一致。"
                )
    return checked, problems


class Command(BaseCommand):
    help = (
        "Check every stored evidence file and every issued report against the SHA-256 "
        "recorded for it; name each mismatch and end with status 1 if there is one."
    )

    def handle(self, *args, **options):
        files, file_problems = evidence_problems()
        reports, bad_reports = report_problems()
        problems = file_problems + bad_reports
        for problem in problems:
            self.stdout.write(problem)
        summary = f"已核对 {files} 个证据文件、{reports} 份已出具的报告"
        if problems:
            raise CommandError(f"{summary}：{len(problems)} 处不一致（见上）。请联系系统管理员。")
        self.stdout.write(f"{summary}：全部与记录的 SHA-256 一致。")
