import io
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from evidence.models import EvidenceFile, evidence_storage
from evidence.tests import samples
from security.models import SecurityEvent

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def upload(client, code, number, name, content=samples.PDF):
    response = client.post(
        f"/cycles/2023/agencies/{code}/documents/{number}/upload/",
        {"files": [samples.upload(name, content)]},
        **XHR,
    )
    assert response.status_code == 201, response.content
    return EvidenceFile.objects.get(original_name=name)


def test_a_download_is_an_attachment_under_its_own_name(client_for, chaoyang):
    file = upload(client_for("staff004"), "004", 1, "管理 制度(2023).pdf")
    response = client_for("staff004").get(f"/cycles/2023/agencies/004/files/{file.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E7%AE%A1%E7%90%86%20%E5%88%B6%E5%BA%A6%282023%29.pdf" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert "no-store" in response["Cache-Control"]


def test_with_nginx_the_download_is_handed_to_x_accel_redirect(client_for, chaoyang, settings):
    settings.EVIDENCE_X_ACCEL_REDIRECT_PREFIX = "/protected-evidence/"
    file = upload(client_for("staff004"), "004", 1, "a.pdf")
    response = client_for("auditor").get(f"/cycles/2023/agencies/004/files/{file.pk}/")
    assert response["X-Accel-Redirect"] == f"/protected-evidence/{file.key}"
    assert response.content == b""
    # nginx adds the name only when it sends the file (never on its own error page)
    assert not response.has_header("Content-Disposition")
    assert response["X-Evidence-Disposition"].startswith("attachment;")
    download = SecurityEvent.objects.get(kind="download")
    assert download.target == "a.pdf" and download.status == 200


def test_stored_files_are_readable_by_the_group_and_nobody_else(client_for, chaoyang):
    file = upload(client_for("staff004"), "004", 1, "a.pdf")
    path = Path(evidence_storage().path(file.key))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    for folder in (path.parent, path.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o2750


def test_a_file_the_front_server_cannot_read_is_sent_by_the_portal(client_for, chaoyang, settings):
    settings.EVIDENCE_X_ACCEL_REDIRECT_PREFIX = "/protected-evidence/"
    file = upload(client_for("staff004"), "004", 1, "old.pdf")
    Path(evidence_storage().path(file.key)).chmod(0o600)  # stored by an older version
    response = client_for("auditor").get(f"/cycles/2023/agencies/004/files/{file.pk}/")
    assert not response.has_header("X-Accel-Redirect")
    assert b"".join(response.streaming_content) == samples.PDF
    assert response["Content-Disposition"].startswith("attachment;")


def test_when_nginx_cannot_send_a_file_the_person_is_told_and_it_is_recorded(client_for, db):
    response = client_for("auditor").get(
        "/download-unavailable/", HTTP_X_ORIGINAL_URI="/cycles/2023/agencies/004/files/7/"
    )
    assert response.status_code == 503
    page = response.content.decode()
    assert "文件暂时无法下载" in page and "没有下载任何内容" in page
    assert not response.has_header("Content-Disposition")
    event = SecurityEvent.objects.get(kind="download_failed")
    assert event.target == "/cycles/2023/agencies/004/files/7/" and event.status == 503
    assert event.username == "mona" or event.username


def test_asking_nginx_for_the_internal_location_is_not_a_failed_download(client_for, db, settings):
    settings.EVIDENCE_X_ACCEL_REDIRECT_PREFIX = "/protected-evidence/"
    response = client_for("auditor").get(
        "/download-unavailable/", HTTP_X_ORIGINAL_URI="/protected-evidence/2023/004/abc"
    )
    assert response.status_code == 404
    assert not SecurityEvent.objects.filter(kind="download_failed").exists()


@pytest.mark.parametrize("original", ["\x00/../é", "/x" * 5000, "\ud800"])
def test_hostile_original_addresses_are_stored_safely(client_for, db, original):
    response = client_for("auditor").get("/download-unavailable/", HTTP_X_ORIGINAL_URI=original)
    assert response.status_code == 503
    assert SecurityEvent.objects.filter(kind="download_failed").count() == 1


def test_an_upload_over_the_proxys_limit_is_explained_in_chinese(client, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 100 * 1024 * 1024
    response = client.get("/upload-too-large/")
    assert response.status_code == 413
    page = response.content.decode()
    assert "文件太大，没有上传" in page and "100 MB" in page


def test_files_are_never_under_a_public_url(client_for, chaoyang):
    file = upload(client_for("staff004"), "004", 1, "a.pdf")
    for url in (f"/media/{file.key}", f"/static/{file.key}", f"/evidence/{file.key}"):
        assert client_for("manager").get(url).status_code == 404


def _zip(response):
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(
        io.BytesIO(b"".join(response.streaming_content)), metadata_encoding="gbk"
    )


def test_an_agencys_files_as_one_zip_organised_by_document(client_for, chaoyang):
    staff = client_for("staff004")
    upload(staff, "004", 1, "管理制度.pdf")
    upload(staff, "004", 1, "内控制度.docx", samples.DOCX)
    upload(staff, "004", 4, "总账.xlsx", samples.XLSX)
    upload(staff, "004", 4, "凭证.pdf", samples.PDF + b"2")

    response = client_for("auditor").get("/cycles/2023/agencies/004/documents.zip")

    assert "attachment;" in response["Content-Disposition"]
    archive = _zip(response)
    names = archive.namelist()
    assert names == [
        "004-朝阳/01-代办处（经办机构）管理制度及相关内控制度/管理制度.pdf",
        "004-朝阳/01-代办处（经办机构）管理制度及相关内控制度/内控制度.docx",
        "004-朝阳/04-2022年总账、明细账及现金、银行存款日记账和全年会计凭证/总账.xlsx",
        "004-朝阳/04-2022年总账、明细账及现金、银行存款日记账和全年会计凭证/凭证.pdf",
    ]
    assert archive.read(names[0]) == samples.PDF
    assert archive.testzip() is None


def test_zip_names_read_right_on_chinese_windows_and_everywhere_else(client_for, chaoyang):
    upload(client_for("staff004"), "004", 2, "稽核报告.pdf")
    raw = b"".join(
        client_for("auditor").get("/cycles/2023/agencies/004/documents.zip").streaming_content
    )
    info = zipfile.ZipFile(io.BytesIO(raw), metadata_encoding="gbk").infolist()[0]
    assert not info.flag_bits & 0x800  # GBK in the header, as Windows in Chinese expects
    tag, size = struct.unpack("<HH", info.extra[:4])
    assert tag == 0x7075  # and the Info-ZIP Unicode Path for every other tool
    assert info.extra[9 : 4 + size].decode("utf-8") == info.filename


def test_the_whole_cycle_as_one_zip(client_for, chaoyang, auditor):
    from checklist.tests.helpers import audit_of

    audit_of("007").auditors.add(auditor)
    upload(client_for("staff004"), "004", 1, "a.pdf")
    upload(client_for("staff007"), "007", 3, "b.pdf", samples.PDF + b"b")
    archive = _zip(client_for("manager").get("/cycles/2023/documents.zip"))
    assert [name.split("/")[0] for name in archive.namelist()] == ["004-朝阳", "007-怀柔"]


def test_zips_are_for_the_office_only(client_for, chaoyang):
    assert client_for("staff004").get("/cycles/2023/agencies/004/documents.zip").status_code == 403
    assert client_for("staff004").get("/cycles/2023/documents.zip").status_code == 403
    assert client_for("staff007").get("/cycles/2023/agencies/004/documents.zip").status_code == 404
