import io
import struct
import zipfile

from evidence.models import EvidenceFile
from evidence.tests import samples

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
    assert response["Content-Disposition"].startswith("attachment;")


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
