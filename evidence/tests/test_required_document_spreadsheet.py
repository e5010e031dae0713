from audit_portal.tests.spreadsheet_helpers import (
    confirm,
    read_xlsx,
    upload_for_preview,
    xlsx_upload,
)
from evidence.models import RequiredDocument

IMPORT_URL = "/admin/evidence/requireddocument/import/"
HEADER = ["年度", "序号", "资料名称"]


def test_export_lists_the_ten_documents_in_order(client_for):
    response = client_for("administrator").post(
        "/admin/evidence/requireddocument/export/",
        {
            "format": "0",
            **{f"requireddocumentresource_{f}": "on" for f in ("cycle", "number", "title")},
        },
    )
    rows = read_xlsx(response.content)
    assert rows[0] == HEADER
    assert [row[1] for row in rows[1:]] == list(range(1, 11))
    assert rows[10] == [2023, 10, "业务系统用户名变更表和业务系统用户名备案表"]


def test_a_new_document_is_added_after_the_preview(client_for):
    client = client_for("administrator")
    upload = xlsx_upload(HEADER, [[2023, 11, "整改情况说明"]])
    preview = upload_for_preview(client, IMPORT_URL, upload)
    assert not RequiredDocument.objects.filter(number=11).exists()
    confirm(client, IMPORT_URL, preview)
    assert RequiredDocument.objects.get(number=11).title == "整改情况说明"


def test_an_unknown_year_or_an_empty_title_imports_nothing(client_for):
    client = client_for("administrator")
    upload = xlsx_upload(
        HEADER,
        [[2023, 12, "好的一行"], [1999, 1, "没有这个年度"], [2023, 13, None]],
    )
    body = upload_for_preview(client, IMPORT_URL, upload).content.decode()
    assert 'name="import_file_name"' not in body
    assert "此字段不能为空。" in body
    assert "没有 1999 年度的稽核。" in body
    assert not RequiredDocument.objects.filter(number__in=[12, 13]).exists()
