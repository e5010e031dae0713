import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Agency, FundingMode
from audit_portal.tests.spreadsheet_helpers import (
    confirm,
    read_xlsx,
    upload_for_preview,
    xlsx_upload,
)

IMPORT_URL = "/admin/agencies/agency/import/"
HEADER = ["编码", "名称", "直投／非直投", "启用"]


def test_export_writes_codes_as_text_with_chinese_headers(client_for):
    response = client_for("administrator").post(
        "/admin/agencies/agency/export/",
        {
            "format": "0",
            **{f"agencyresource_{f}": "on" for f in ("code", "name", "funding_mode", "is_active")},
        },
    )
    assert response.status_code == 200
    rows = read_xlsx(response.content)
    assert rows[0] == HEADER
    assert ["004", "朝阳", None, "是"] in rows  # an empty cell
    assert len(rows) == 51


def test_import_shows_a_preview_first_and_imports_on_confirmation(client_for):
    client = client_for("administrator")
    upload = xlsx_upload(HEADER, [["133", "新代办处", "直投", "是"], ["004", "朝阳区", "", "是"]])

    preview = upload_for_preview(client, IMPORT_URL, upload)

    assert preview.status_code == 200
    assert "新代办处" in preview.content.decode()
    assert not Agency.objects.filter(code="133").exists()

    done = confirm(client, IMPORT_URL, preview)

    assert done.status_code == 302
    assert Agency.objects.get(code="133").funding_mode == FundingMode.DIRECT
    assert Agency.objects.get(code="004").name == "朝阳区"
    assert Agency.objects.count() == 51


def test_codes_that_excel_turned_into_numbers_are_padded_back(client_for):
    client = client_for("administrator")
    preview = upload_for_preview(client, IMPORT_URL, xlsx_upload(HEADER, [[9, "九号", "", "是"]]))
    confirm(client, IMPORT_URL, preview)
    assert Agency.objects.get(code="009").name == "九号"


def test_codes_of_three_to_six_digits_import_and_numbers_pad_to_the_offices_width(
    client_for, settings
):
    client = client_for("administrator")
    rows = [["123456", "六位编码", "", "是"], ["1234", "四位编码", "", "是"]]
    confirm(client, IMPORT_URL, upload_for_preview(client, IMPORT_URL, xlsx_upload(HEADER, rows)))
    assert Agency.objects.get(code="123456").name == "六位编码"
    assert Agency.objects.get(code="1234").name == "四位编码"

    settings.AGENCY_CODE_DIGITS = 5  # an office whose codes are five digits
    preview = upload_for_preview(
        client, IMPORT_URL, xlsx_upload(HEADER, [[42, "四十二", "", "是"]])
    )
    confirm(client, IMPORT_URL, preview)
    assert Agency.objects.get(code="00042").name == "四十二"


def test_codes_longer_than_six_digits_or_shorter_than_three_are_refused(client_for):
    client = client_for("administrator")
    rows = [["1234567", "七位", "", "是"], ["12", "两位文字", "", "是"]]
    body = upload_for_preview(client, IMPORT_URL, xlsx_upload(HEADER, rows)).content.decode()
    assert body.count("代办处编码必须是 3 到 6 位数字，例如 004。") == 2
    assert not Agency.objects.filter(name__in=["七位", "两位文字"]).exists()


def test_a_file_with_one_bad_row_imports_nothing_and_names_every_bad_row(client_for):
    client = client_for("administrator")
    upload = xlsx_upload(
        HEADER,
        [
            ["134", "好的一行", "", "是"],
            ["12A", "坏编码", "", "是"],
            ["135", "坏类型", "半直投", "是"],
            ["136", "", "", "是"],
        ],
    )

    preview = upload_for_preview(client, IMPORT_URL, upload)

    body = preview.content.decode()
    assert "代办处编码必须是 3 到 6 位数字，例如 004。" in body
    assert "“半直投”不是可选值之一" in body
    assert "此字段不能为空。" in body
    assert 'name="import_file_name"' not in body  # no way to confirm
    assert not Agency.objects.filter(code__in=["134", "135", "136"]).exists()
    assert Agency.objects.count() == 50


def test_only_administrators_may_import(client_for):
    for persona in ("manager", "auditor", "staff004"):
        upload = xlsx_upload(HEADER, [["137", "越权", "", "是"]])
        response = upload_for_preview(client_for(persona), IMPORT_URL, upload)
        assert response.status_code == 302
    assert not Agency.objects.filter(code="137").exists()


HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example/","点我")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-1+1",
]


def _export(client, file_format):
    return client.post(
        "/admin/agencies/agency/export/",
        {
            "format": file_format,
            **{f"agencyresource_{f}": "on" for f in ("code", "name", "funding_mode", "is_active")},
        },
    )


def test_exports_write_formulas_typed_by_users_as_text(client_for):
    from openpyxl import load_workbook

    agencies = Agency.objects.order_by("code")[: len(HOSTILE_NAMES)]
    for agency, name in zip(agencies, HOSTILE_NAMES, strict=True):
        Agency.objects.filter(pk=agency.pk).update(name=name)
    client = client_for("administrator")

    xlsx = _export(client, "0").content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert not [cell.value for cell in names if cell.data_type == "f"]  # no live formula
    values = {cell.value for cell in names}
    assert {"'" + name for name in HOSTILE_NAMES} <= values

    csv = _export(client, "1").content.decode("utf-8-sig")
    for name in HOSTILE_NAMES:
        assert f"'{name}" in csv.replace('""', '"')
        assert f",{name}" not in csv.replace('""', '"')


def test_an_exported_file_imports_back_unchanged(client_for):
    Agency.objects.filter(code="004").update(name=HOSTILE_NAMES[0])
    client = client_for("administrator")
    exported = _export(client, "0").content
    upload = SimpleUploadedFile("agencies.xlsx", exported)
    preview = upload_for_preview(client, IMPORT_URL, upload)
    assert confirm(client, IMPORT_URL, preview).status_code == 302
    assert Agency.objects.get(code="004").name == HOSTILE_NAMES[0]


def test_a_report_number_format_with_an_unknown_placeholder_is_refused(client_for, cycle):
    client = client_for("administrator")
    page = client.get(f"/admin/agencies/cycle/{cycle.pk}/change/").content.decode()
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    fields.pop("csrfmiddlewaretoken", None)
    for bad in ("稽核〔{year}〕{编码}号", "{code.__class__}", "稽核{year"):
        response = client.post(
            f"/admin/agencies/cycle/{cycle.pk}/change/", fields | {"report_number_format": bad}
        )
        assert response.status_code == 200
        assert "只能包含占位符 {year}、{code}" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.report_number_format == "稽核〔{year}〕{code}号"
