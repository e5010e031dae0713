"""`manage.py verify_files` (issue 17, 数据完整性): every stored file and issued report is held
to its recorded SHA-256, and each mismatch is named."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from evidence.models import evidence_storage
from reports.models import IssuedReport
from reports.tests.helpers import scored_and_submitted


def _run():
    out = io.StringIO()
    call_command("verify_files", stdout=out)
    return out.getvalue()


@pytest.fixture
def issued(client_for, auditor):
    scored_and_submitted("004", auditor)
    client_for("manager").post("/cycles/2023/agencies/004/finalize/")
    return IssuedReport.objects.get()


def test_files_and_reports_as_stored_pass(evidence_file, issued):
    assert "已核对 1 个证据文件、1 份已出具的报告：全部与记录的 SHA-256 一致。" in _run()


def test_a_changed_evidence_file_is_named(evidence_file, issued):
    storage = evidence_storage()
    storage.delete(evidence_file.key)
    # the same length, other bytes: only the SHA-256 tells
    storage.save(evidence_file.key, ContentFile(b"%PDF-1.4 matrIX"))
    with pytest.raises(CommandError, match="1 处不一致"):
        out = io.StringIO()
        call_command("verify_files", stdout=out)
    assert (
        f"证据文件 #{evidence_file.pk}（2023 004 制度.pdf）：内容与上传时记录的" in out.getvalue()
    )


def test_a_missing_evidence_file_is_named(evidence_file):
    evidence_storage().delete(evidence_file.key)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_files", stdout=out)
    assert "存储中找不到" in out.getvalue()


def test_an_issued_report_changed_in_the_database_is_named(issued):
    IssuedReport.objects.filter(pk=issued.pk).update(content=b"%PDF-1.4 forged")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 处不一致"):
        call_command("verify_files", stdout=out)
    assert f"稽核报告 {issued.number}（第 1 版）：内容与出具时记录的 SHA-256 不一致。" in (
        out.getvalue()
    )
