import io
import os
import time

from django.conf import settings
from django.core.management import call_command

from evidence.models import EvidenceFile, evidence_storage
from evidence.tests import samples
from evidence.tests.conftest import stored_files


def test_stray_files_are_removed_and_recorded_files_kept(client_for, chaoyang, capsys):
    client_for("staff004").post(
        "/cycles/2023/agencies/004/documents/1/upload/",
        {"files": [samples.upload("a.pdf", samples.PDF)]},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    kept = EvidenceFile.objects.get().key
    stray = evidence_storage().save("2023/004/stray", io.BytesIO(b"left by a crash"))
    fresh = evidence_storage().save("2023/004/in-flight", io.BytesIO(b"an upload right now"))
    old = time.time() - 7200
    os.utime(os.path.join(settings.EVIDENCE_ROOT, stray), (old, old))
    incoming = os.path.join(settings.FILE_UPLOAD_TEMP_DIR, "abandoned.upload")
    with open(incoming, "wb") as file:
        file.write(b"half")
    os.utime(incoming, (old, old))

    call_command("cleanup_evidence", "--dry-run")
    assert len(stored_files()) == 3 and os.path.exists(incoming)

    call_command("cleanup_evidence")

    out = capsys.readouterr().out
    assert "已清理 1 个没有记录的文件、1 个临时文件；0 条记录缺少文件。" in out
    remaining = {os.path.relpath(p, settings.EVIDENCE_ROOT) for p in stored_files()}
    assert remaining == {kept, fresh}
    assert not os.path.exists(incoming)


def test_rows_whose_file_is_gone_are_reported(client_for, chaoyang, capsys):
    client_for("staff004").post(
        "/cycles/2023/agencies/004/documents/1/upload/",
        {"files": [samples.upload("a.pdf", samples.PDF)]},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    key = EvidenceFile.objects.get().key
    os.remove(os.path.join(settings.EVIDENCE_ROOT, key))
    call_command("cleanup_evidence")
    assert f"记录对应的文件不存在：{key}" in capsys.readouterr().out
