import hashlib
from datetime import date, timedelta

import pytest

from agencies.models import AuditStatus
from evidence.models import DocumentRequest, DocumentStatus, EvidenceEvent, EvidenceFile
from evidence.tests import samples
from evidence.tests.conftest import stored_files

URL = "/cycles/2023/agencies/004/documents/1/upload/"
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def post(client, *files, url=URL, xhr=True):
    return client.post(url, {"files": list(files)}, **(XHR if xhr else {}))


def test_agency_staff_upload_a_file_and_the_item_is_submitted(client_for, chaoyang, staff004):
    response = post(client_for("staff004"), samples.upload("管理制度.pdf", samples.PDF))

    assert response.status_code == 201
    file = EvidenceFile.objects.get()
    assert response.json() == {
        "id": file.pk,
        "name": "管理制度.pdf",
        "size": len(samples.PDF),
        "duplicate": False,
        "late": False,
    }
    assert (file.original_name, file.kind, file.size) == ("管理制度.pdf", "pdf", len(samples.PDF))
    assert file.sha256 == hashlib.sha256(samples.PDF).hexdigest()
    assert file.uploaded_by == staff004
    assert file.request.status == DocumentStatus.SUBMITTED
    event = EvidenceEvent.objects.get()
    assert (event.action, event.detail) == (EvidenceEvent.Action.UPLOADED, "管理制度.pdf")
    assert len(stored_files()) == 1
    assert "管理制度" not in stored_files()[0]  # stored under a random key, not the name


def test_several_files_at_once_without_javascript(client_for, chaoyang):
    response = post(
        client_for("staff004"),
        samples.upload("a.pdf", samples.PDF),
        samples.upload("b.docx", samples.DOCX),
        xhr=False,
    )
    assert response.status_code == 302
    assert EvidenceFile.objects.count() == 2


REFUSED = [
    ("an executable renamed .pdf", "报告.pdf", samples.EXE, "并不是真正的 PDF 文件"),
    ("HTML renamed .pdf", "报告.pdf", samples.HTML, "并不是真正的 PDF 文件"),
    ("a zero-byte file", "空.pdf", b"", "是空文件"),
    ("a ZIP renamed .docx", "报告.docx", samples.ZIP, "内容却是 ZIP"),
    ("a valid file with the wrong extension", "报告.xlsx", samples.PDF, "内容却是 PDF"),
    ("a double extension", "报告.pdf.exe", samples.EXE, "不是平台接受的文件类型"),
]


@pytest.mark.parametrize(
    ("case", "name", "content", "message"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_refused_files_are_explained_and_nothing_is_stored(
    client_for, chaoyang, case, name, content, message
):
    response = post(client_for("staff004"), samples.upload(name, content))
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert not EvidenceFile.objects.exists()
    assert not DocumentRequest.objects.exists()
    assert stored_files() == []


def test_a_file_over_the_limit_is_refused_while_it_streams(client_for, chaoyang, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024
    response = post(client_for("staff004"), samples.upload("大文件.pdf", samples.PDF + b"0" * 2000))
    assert response.status_code == 422
    assert "超过 1.0" in response.json()["error"]
    assert stored_files() == []
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("报告\x07.pdf", "报告.pdf"),
        ("报告\u202egpj.pdf", "报告gpj.pdf"),
        ("报\u200b告.pdf", "报告.pdf"),
    ],
)
def test_control_characters_never_reach_the_stored_name(client_for, chaoyang, sent, kept):
    response = post(client_for("staff004"), samples.upload(sent, samples.PDF))
    assert response.status_code == 201
    assert EvidenceFile.objects.get().original_name == kept


def test_a_name_with_control_characters_is_refused_by_the_service():
    from evidence.filetypes import RefusedFile
    from evidence.services import clean_name

    with pytest.raises(RefusedFile, match="控制字符"):
        clean_name("报告\u202egpj.pdf")
    assert clean_name("C:\\Users\\张三\\报告.pdf") == "报告.pdf"


def test_a_path_traversal_name_keeps_only_the_file_name(client_for, chaoyang, settings):
    response = post(client_for("staff004"), samples.upload("../../../etc/passwd.pdf", samples.PDF))
    assert response.status_code == 201
    file = EvidenceFile.objects.get()
    assert file.original_name == "passwd.pdf"
    assert all(path.startswith(str(settings.EVIDENCE_ROOT)) for path in stored_files())


def test_a_300_character_name_is_shortened_keeping_its_extension(client_for, chaoyang):
    name = "很长的文件名" * 50 + ".pdf"
    assert len(name) == 304
    assert post(client_for("staff004"), samples.upload(name, samples.PDF)).status_code == 201
    stored = EvidenceFile.objects.get().original_name
    assert len(stored) <= 150 and stored.endswith("….pdf")


def test_another_agencys_staff_cannot_upload(client_for, chaoyang):
    assert post(client_for("staff007"), samples.upload("a.pdf", samples.PDF)).status_code == 404
    assert stored_files() == [] and not EvidenceFile.objects.exists()


def test_nobody_uploads_to_a_finalized_audit(client_for, chaoyang):
    chaoyang.status = AuditStatus.FINALIZED
    chaoyang.save()
    response = post(client_for("staff004"), samples.upload("a.pdf", samples.PDF))
    assert response.status_code == 422
    assert "已定稿" in response.json()["error"]
    assert stored_files() == []


def test_auditors_not_assigned_cannot_upload(client_for, db):
    from checklist.tests.helpers import audit_of

    audit_of("004")
    assert post(client_for("auditor"), samples.upload("a.pdf", samples.PDF)).status_code == 403


def test_the_same_content_twice_is_flagged_as_a_duplicate(client_for, chaoyang):
    client = client_for("staff004")
    post(client, samples.upload("a.pdf", samples.PDF))
    response = post(
        client,
        samples.upload("副本.pdf", samples.PDF),
        url="/cycles/2023/agencies/004/documents/2/upload/",
    )
    assert response.json()["duplicate"] is True
    second = EvidenceFile.objects.get(original_name="副本.pdf")
    assert second.duplicate_of.original_name == "a.pdf"


def test_after_the_deadline_uploads_are_accepted_and_marked_late(client_for, chaoyang):
    chaoyang.cycle.document_deadline = date.today() - timedelta(days=3)
    chaoyang.cycle.save()
    response = post(client_for("staff004"), samples.upload("a.pdf", samples.PDF))
    assert response.status_code == 201 and response.json()["late"] is True
    body = client_for("auditor").get("/cycles/2023/agencies/004/documents/").content.decode()
    assert "逾期上传" in body
    assert "逾期" in body


def test_a_rolled_back_upload_leaves_nothing_behind(client_for, chaoyang, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(EvidenceEvent.objects, "create", fail)
    with pytest.raises(RuntimeError):
        post(client_for("staff004"), samples.upload("a.pdf", samples.PDF))
    assert not EvidenceFile.objects.exists()
    assert not DocumentRequest.objects.exists()
    assert stored_files() == []


def test_without_script_the_uploader_is_told_a_long_name_was_shortened(client_for, chaoyang):
    name = "很长的文件名" * 30 + ".pdf"
    response = client_for("staff004").post(
        "/cycles/2023/agencies/004/documents/1/upload/",
        {"files": samples.upload(name, samples.PDF)},
        follow=True,
    )
    stored = EvidenceFile.objects.get().original_name
    assert f"文件名超过 150 个字符，已保存为“{stored}”" in response.content.decode()


def test_the_documents_page_takes_the_same_queries_for_1_or_12_files(client_for, chaoyang):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = client_for("staff004")
    post(staff, samples.upload("a.pdf", samples.PDF))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff.get("/cycles/2023/agencies/004/documents/").status_code == 200
        return len(captured)

    one = queries()
    for index in range(11):
        post(
            staff,
            samples.upload(f"{index}.pdf", samples.PDF + bytes([index])),
            url=URL.replace("/1/", f"/{index % 9 + 2}/"),
        )
    assert EvidenceFile.objects.count() == 12
    assert queries() == one
