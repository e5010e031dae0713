"""稽核工作底稿: the workbook an auditor takes on site, and reading it back against the
portal (unchanged, changed, conflict, invalid) — what the cells say, never evaluated."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from checklist import workpaper
from checklist.models import Result

from .helpers import audit_of, save


@pytest.fixture
def chaoyang(db, manager):
    audit = audit_of("004")
    save(audit, "1-1", manager, result=Result.COMPLIANT)
    save(audit, "1-2", manager, result=Result.LARGELY_COMPLIANT, points="8", finding="记录不全")
    return audit_of("004")


def _book(audit):
    return load_workbook(io.BytesIO(workpaper.build(audit)))


def _upload(book, name="底稿.xlsx"):
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def _row(sheet, code):
    for row in sheet.iter_rows(min_row=workpaper.FIRST_ROW):
        if row[0].value == code:
            return row
    raise AssertionError(code)


def _compare(audit, upload):
    key, rows = workpaper.read(upload, audit)
    return {row.code: row for row in workpaper.compare(audit, key, rows)}


def test_one_row_per_standard_with_the_current_values(chaoyang):
    book = _book(chaoyang)
    assert book.sheetnames == ["稽核工作底稿", "底稿标识"]
    sheet = book["稽核工作底稿"]
    header = [cell.value for cell in sheet[workpaper.HEADER_ROW]]
    assert header == list(workpaper.COLUMNS)
    rows = list(sheet.iter_rows(min_row=workpaper.FIRST_ROW, values_only=True))
    assert len(rows) == 29
    assert rows[1][:6] == ("1-2", rows[1][1], 10.0, "基本符合", 8.0, "记录不全")
    assert rows[0][3] == "符合" and rows[2][3] is None


def test_texts_and_keys_are_locked_and_the_answers_are_not(chaoyang):
    sheet = _book(chaoyang)["稽核工作底稿"]
    assert sheet.protection.sheet
    row = _row(sheet, "1-3")
    assert [cell.protection.locked for cell in row] == [True, True, True] + [False] * 5
    assert book_state(chaoyang) == "hidden" and _book(chaoyang)["底稿标识"].protection.sheet
    # rows may be made taller and columns wider to read long texts, on a protected sheet
    assert (sheet.protection.formatRows, sheet.protection.formatColumns) == (False, False)
    assert sheet.freeze_panes == "D5"  # code, text and maximum stay in view


def test_every_answer_is_written_and_every_cell_reads_whole(chaoyang, manager):
    save(chaoyang, "1-4", manager, result=Result.NOT_APPLICABLE, not_applicable_reason="无此业务")
    save(
        chaoyang,
        "1-5",
        manager,
        result=Result.NON_COMPLIANT,
        points="2.5",
        finding="未建台账",
        rectification="建立台账",
    )
    book = _book(audit_of("004"))
    sheet = book["稽核工作底稿"]
    assert [cell.value for cell in _row(sheet, "1-4")[3:]] == [
        "不适用",
        None,
        None,
        None,
        "无此业务",
    ]
    row = _row(sheet, "1-5")
    assert [cell.value for cell in row[2:7]] == [10, "不符合", 2.5, "未建台账", "建立台账"]
    assert (row[2].number_format, row[4].number_format) == ("0.0", "0.0")
    for cell in row:
        assert cell.border.left.style == "thin"
        assert (cell.alignment.wrap_text, cell.alignment.vertical) == (True, "top")
    assert book["底稿标识"]["A1"].value == "本表由系统生成，用于核对上传的工作底稿，请勿修改。"


def book_state(audit):
    return _book(audit)["底稿标识"].sheet_state


def test_the_drop_down_the_points_rule_and_the_print_setup(chaoyang):
    sheet = _book(chaoyang)["稽核工作底稿"]
    validations = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    assert list(validations) == ["D5:D33", "E5:E33"]

    def said(dv):
        return (
            dv.allow_blank,
            dv.showErrorMessage,
            dv.errorTitle,
            dv.error,
            dv.promptTitle,
            dv.prompt,
        )

    results = validations["D5:D33"]
    assert results.type == "list" and results.formula1 == '"符合,基本符合,不符合,不适用"'
    assert said(results) == (
        True,
        True,
        "结果",
        "请从下拉列表中选择：符合、基本符合、不符合或不适用。",
        "结果",
        "符合得满分；基本符合、不符合须填得分和问题描述；不适用须写原因。",
    )
    points = validations["E5:E33"]
    assert (points.type, points.operator, points.formula1, points.formula2) == (
        "decimal",
        "between",
        "0",
        "C5",
    )
    assert said(points) == (
        True,
        True,
        "得分",
        "得分须在 0 与该项满分之间，最多一位小数。",
        "得分",
        "0 至满分，最多一位小数；符合的不必填（按满分计）。",
    )
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    assert sheet.page_setup.fitToWidth == 1 and sheet.print_title_rows == "$4:$4"


def test_a_paper_brought_back_unchanged_changes_nothing(chaoyang):
    rows = _compare(chaoyang, _upload(_book(chaoyang)))
    assert len(rows) == 29 and {row.kind for row in rows.values()} == {"unchanged"}


def test_what_people_type_in_excel_is_read_as_they_meant_it(chaoyang):
    book = _book(chaoyang)
    sheet = book["稽核工作底稿"]
    row = _row(sheet, "1-3")
    row[3].value = " 不符合 "  # typed by hand, with spaces
    row[4].value = 7  # 7, not 7.0
    row[5].value = "第一行\r\n第二行"
    row[6].value = "=1+1"  # a formula: kept as its text, never evaluated
    found = _compare(chaoyang, _upload(book))["1-3"]
    assert found.kind == "changed"
    assert found.values["result"] == Result.NON_COMPLIANT
    assert found.values["points"] == Decimal("7")
    assert found.values["finding"] == "第一行\n第二行"
    assert found.values["rectification"] == "=1+1"
    assert ("结果", "—", "不符合") in found.lines()


def test_points_over_the_maximum_name_the_row(chaoyang):
    book = _book(chaoyang)
    row = _row(book["稽核工作底稿"], "1-3")
    row[3].value, row[4].value, row[5].value = "基本符合", 12, "问题"
    found = _compare(chaoyang, _upload(book))["1-3"]
    assert found.kind == "invalid"
    assert found.error.startswith("第 7 行（1-3）：") and "10" in found.error


def test_an_unknown_result_names_the_row(chaoyang):
    book = _book(chaoyang)
    _row(book["稽核工作底稿"], "1-3")[3].value = "差不多"
    found = _compare(chaoyang, _upload(book))["1-3"]
    assert found.kind == "invalid" and "第 7 行：结果“差不多”" in found.error


def test_a_standard_changed_online_since_the_download_is_a_conflict(chaoyang, manager):
    book = _book(chaoyang)
    row = _row(book["稽核工作底稿"], "1-2")
    row[4].value = 6
    save(chaoyang, "1-2", manager, result=Result.LARGELY_COMPLIANT, points="9", finding="记录不全")
    assert _compare(chaoyang, _upload(book))["1-2"].kind == "conflict"


@pytest.mark.parametrize(
    "change,message",
    [
        ("other agency", "这份工作底稿属于 2023 年度、代办处 007"),
        ("tampered key", "工作底稿的标识被改动过"),
        ("no key sheet", "不是从本系统下载的工作底稿"),
    ],
)
def test_a_paper_that_is_not_this_audits_is_refused_in_words(chaoyang, change, message):
    if change == "other agency":
        book = _book(audit_of("007"))
    else:
        book = _book(chaoyang)
        if change == "tampered key":
            book["底稿标识"]["A2"].value = book["底稿标识"]["A2"].value[:-3] + "abc"
        else:
            del book["底稿标识"]
    with pytest.raises(workpaper.WorkpaperError, match=message):
        workpaper.read(_upload(book), chaoyang)


def test_a_file_that_is_not_a_workbook_is_refused(chaoyang):
    for content in (b"not a workbook", b"PK\x03\x04" + b"\x00" * 100):
        with pytest.raises(workpaper.WorkpaperError, match="无法作为 Excel 工作簿"):
            workpaper.read(SimpleUploadedFile("底稿.xlsx", content), chaoyang)


def test_ten_thousand_rows_are_refused(chaoyang):
    book = _book(chaoyang)
    sheet = book["稽核工作底稿"]
    for line in range(40, 10_040):
        sheet.cell(row=line, column=1, value=f"9-{line}")
    with pytest.raises(workpaper.WorkpaperError, match="超过 1000 行"):
        workpaper.read(_upload(book), chaoyang)


URL = "/cycles/2023/agencies/004/"


def _post(client, book, name="底稿.xlsx"):
    return client.post(URL + "workpaper/", {"workpaper": _upload(book, name)})


def test_through_the_pages_a_change_and_a_conflict_are_saved_as_chosen(
    client_for, chaoyang, manager, assigned
):
    chaoyang.auditors.add(assigned)
    client = client_for("assigned")
    download = client.get(URL + "workpaper.xlsx")
    assert download.status_code == 200
    from urllib.parse import quote

    assert download["Content-Disposition"].endswith(quote("2023-004-朝阳-稽核工作底稿.xlsx"))
    book = load_workbook(io.BytesIO(download.content))
    sheet = book["稽核工作底稿"]
    _row(sheet, "1-3")[3].value = "符合"
    row = _row(sheet, "1-2")
    row[4].value = 6
    # someone changes 1-2 online meanwhile
    save(chaoyang, "1-2", manager, result=Result.LARGELY_COMPLIANT, points="9", finding="记录不全")
    preview = _post(client, book)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "有改动 1 项，冲突 1 项，有误 0 项，未改动 27 项。" in page
    assert 'data-testid="conflict-1-2"' in page and "系统中由 孟主任" in page
    token = page.split('name="token" value="')[1].split('"')[0]
    undecided = client.post(URL + "workpaper/apply/", {"token": token})
    assert "请为 1-2 选择保留哪一边的内容" in client.get(undecided["Location"]).content.decode()
    assert (
        audit_of("004")
        .assessments.filter(standard__number=3, standard__category__position=1)
        .count()
        == 0
    )
    done = client.post(URL + "workpaper/apply/", {"token": token, "choice-1-2": "file"})
    page = client.get(done["Location"]).content.decode()
    assert "已从工作底稿写入 2 项标准" in page
    assessment = audit_of("004").assessments.get(standard__category__position=1, standard__number=2)
    assert assessment.points == Decimal("6")
    change = assessment.changes.order_by("-version").first()
    assert change.source == "workpaper" and change.changed_by == assigned
    assert page.count('data-testid="from-workpaper"') == 2


def test_an_invalid_row_shows_and_nothing_can_be_saved(client_for, chaoyang, assigned):
    chaoyang.auditors.add(assigned)
    client = client_for("assigned")
    book = _book(chaoyang)
    row = _row(book["稽核工作底稿"], "1-3")
    row[3].value, row[4].value, row[5].value = "不符合", 12, "问题"
    response = _post(client, book)
    assert response.status_code == 422
    page = response.content.decode()
    assert "第 7 行（1-3）：" in page and 'data-testid="workpaper-apply"' not in page


def test_a_stale_preview_saves_nothing(client_for, chaoyang, manager, assigned):
    chaoyang.auditors.add(assigned)
    client = client_for("assigned")
    book = _book(chaoyang)
    _row(book["稽核工作底稿"], "1-3")[3].value = "符合"
    _row(book["稽核工作底稿"], "1-4")[3].value = "符合"
    page = _post(client, book).content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    save(chaoyang, "1-4", manager, result=Result.NOT_APPLICABLE, not_applicable_reason="无此业务")
    response = client.post(URL + "workpaper/apply/", {"token": token})
    assert "1-4 在预览之后又被修改" in client.get(response["Location"]).content.decode()
    assert (
        not audit_of("004")
        .assessments.filter(standard__category__position=1, standard__number=3)
        .exists()
    )  # all or nothing


@pytest.mark.parametrize("persona,status", [("staff004", 403), ("staff007", 404), ("auditor", 200)])
def test_who_may_download_a_work_paper(client_for, chaoyang, persona, status):
    assert client_for(persona).get(URL + "workpaper.xlsx").status_code == status


def test_an_unassigned_auditor_cannot_bring_one_in(client_for, chaoyang):
    response = _post(client_for("auditor"), _book(chaoyang))
    assert response.status_code == 403


def test_a_submitted_audit_refuses_a_work_paper(client_for, chaoyang, manager):
    from checklist.services import submit_audit

    from .helpers import score_everything

    score_everything(chaoyang, manager)
    submit_audit(audit=audit_of("004"), by=manager)
    client = client_for("manager")
    response = _post(client, _book(audit_of("004")))
    said = client.get(response["Location"]).content.decode()
    with pytest.raises(workpaper.WorkpaperError) as refused:  # the service's own guard
        workpaper.read(_upload(_book(audit_of("004"))), audit_of("004"))
    assert str(refused.value) == "本稽核待复核，不能再导入工作底稿。"
    assert (
        '<div class="alert alert-danger" role="status">本稽核待复核，不能再导入工作底稿。</div>'
        in said
    )


def libreoffice_resave(content: bytes, folder) -> bytes:
    """The workbook opened and saved again by LibreOffice Calc (headless), as WPS or Excel
    on an auditor's laptop would: its own XML, its own number and string storage."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"
    source = folder / "in.xlsx"
    source.write_bytes(content)
    out = folder / "out"
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{folder}/profile",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (out / "in.xlsx").read_bytes()


def test_a_paper_saved_again_by_libreoffice_reads_the_same(chaoyang, tmp_path):
    book = _book(chaoyang)
    sheet = book["稽核工作底稿"]
    row = _row(sheet, "1-3")
    row[3].value, row[4].value, row[5].value = "基本符合", 7, "第一行\n第二行"
    row = _row(sheet, "1-4")
    row[3].value, row[7].value = "不适用", "=本代办处无此业务"
    resaved = libreoffice_resave(_upload(book).read(), tmp_path)
    again = load_workbook(io.BytesIO(resaved))
    assert again["底稿标识"].sheet_state == "hidden"  # LibreOffice kept what it must
    rows = _compare(chaoyang, SimpleUploadedFile("底稿.xlsx", resaved))
    assert {code for code, row in rows.items() if row.kind != "unchanged"} == {"1-3", "1-4"}
    assert rows["1-3"].values["points"] == Decimal("7")
    assert rows["1-3"].values["finding"] == "第一行\n第二行"
    assert rows["1-4"].values["result"] == Result.NOT_APPLICABLE
    assert rows["1-4"].values["not_applicable_reason"] == "=本代办处无此业务"


def test_an_auditor_gets_the_work_papers_of_their_agencies_as_one_zip(
    client_for, chaoyang, assigned
):
    import zipfile

    chaoyang.auditors.add(assigned)
    audit_of("007").auditors.add(assigned)
    response = client_for("assigned").get("/cycles/2023/workpapers.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [
        "2023-004-朝阳-稽核工作底稿.xlsx",
        "2023-007-怀柔-稽核工作底稿.xlsx",
    ]
    assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_DEFLATED}
    everything = client_for("manager").get("/cycles/2023/workpapers.zip")
    assert len(zipfile.ZipFile(io.BytesIO(everything.content)).namelist()) == 50
    nobody = client_for("auditor").get("/cycles/2023/workpapers.zip")
    assert nobody.status_code == 302


def test_queries_do_not_grow_with_the_number_of_standards(client_for, chaoyang, cycle, assigned):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from checklist.models import Category, Standard

    chaoyang.auditors.add(assigned)
    client = client_for("assigned")

    def queries():
        with CaptureQueriesContext(connection) as download:
            content = client.get(URL + "workpaper.xlsx").content
        book = load_workbook(io.BytesIO(content))
        _row(book["稽核工作底稿"], "1-3")[3].value = "符合"
        with CaptureQueriesContext(connection) as upload:
            assert _post(client, book).status_code == 200
        return len(download), len(upload)

    with_29 = queries()
    extra = Category.objects.create(cycle=cycle, position=4, name="附加检查")
    Standard.objects.bulk_create(
        Standard(category=extra, number=n, text=f"附加标准 {n}", max_points=Decimal(5))
        for n in range(1, 72)
    )
    assert queries() == with_29


def test_empty_rows_a_spreadsheet_program_formatted_do_not_count(chaoyang):
    from openpyxl.styles import Font

    book = _book(chaoyang)
    sheet = book["稽核工作底稿"]
    for line in range(40, 5_040):
        sheet.cell(row=line, column=4).font = Font(bold=True)  # formatted, nothing typed
    rows = _compare(chaoyang, _upload(book))
    assert {row.kind for row in rows.values()} == {"unchanged"}


def test_an_expired_or_foreign_preview_saves_nothing(chaoyang, assigned):
    from django.core import signing

    chaoyang.auditors.add(assigned)
    with pytest.raises(workpaper.WorkpaperError, match="此预览已过期或被改动"):
        workpaper.apply(audit=chaoyang, token="garbage", choices={}, by=assigned)
    foreign = signing.dumps({"audit": audit_of("007").pk, "rows": {}}, salt=workpaper.APPLY_SALT)
    with pytest.raises(workpaper.WorkpaperError, match="属于其他代办处"):
        workpaper.apply(audit=chaoyang, token=foreign, choices={}, by=assigned)


def test_choosing_the_portals_value_keeps_it(client_for, chaoyang, manager, assigned):
    chaoyang.auditors.add(assigned)
    client = client_for("assigned")
    book = _book(chaoyang)
    _row(book["稽核工作底稿"], "1-2")[4].value = 6
    save(chaoyang, "1-2", manager, result=Result.LARGELY_COMPLIANT, points="9", finding="记录不全")
    page = _post(client, book).content.decode()
    token = page.split('name="token" value="')[1].split('"')[0]
    client.post(URL + "workpaper/apply/", {"token": token, "choice-1-2": "portal"})
    kept = audit_of("004").assessments.get(standard__category__position=1, standard__number=2)
    assert kept.points == Decimal("9")


def test_an_upload_without_a_file_says_so(client_for, chaoyang, assigned):
    chaoyang.auditors.add(assigned)
    client = client_for("assigned")
    response = client.post(URL + "workpaper/")
    assert "请选择要上传的工作底稿文件" in client.get(response["Location"]).content.decode()


def test_a_file_over_5_mb_is_refused(chaoyang):
    upload = SimpleUploadedFile("底稿.xlsx", b"x" * (5 * 1024 * 1024 + 1))
    with pytest.raises(workpaper.WorkpaperError, match="超过 5 MB"):
        workpaper.read(upload, chaoyang)


def test_last_years_paper_of_the_same_agency_is_refused(chaoyang, manager, assigned):
    """A work paper is bound to its audit, not to the agency: 2023's paper of 004 does not
    apply to 2024's 004 (the same codes, the same standards copied), nor does its preview."""
    from django.core import signing

    from cycles.tests.helpers import next_cycle

    paper = _upload(_book(chaoyang))
    next_cycle(manager)
    this_year = audit_of("004", 2024)
    this_year.auditors.add(assigned)
    with pytest.raises(workpaper.WorkpaperError, match="这份工作底稿属于 2023 年度、代办处 004"):
        workpaper.read(paper, this_year)
    preview = signing.dumps({"audit": chaoyang.pk, "rows": {}}, salt=workpaper.APPLY_SALT)
    with pytest.raises(workpaper.WorkpaperError, match="属于其他代办处"):
        workpaper.apply(audit=this_year, token=preview, choices={}, by=assigned)


@pytest.mark.parametrize(
    "typed,points",
    [
        (7, Decimal("7")),
        (0, Decimal("0")),
        (7.5, Decimal("7.5")),
        (6.1 + 1e-12, Decimal("6.1")),  # a float's noise, as spreadsheet programs write it
        (0.0, Decimal("0")),  # nought, not a blank
        (" 7.5 ", Decimal("7.5")),
        ("7，5", Decimal("7.5")),
        ("  ", None),  # left blank: no points
    ],
)
def test_points_are_read_as_they_were_meant(chaoyang, typed, points):
    book = _book(chaoyang)
    row = _row(book["稽核工作底稿"], "1-3")
    row[3].value, row[4].value, row[5].value = "不符合", typed, "问题"
    found = _compare(chaoyang, _upload(book))["1-3"]
    assert (found.kind, found.error) == ("changed", "")
    assert found.values["points"] == points and str(found.values["points"]) == str(points)


@pytest.mark.parametrize(
    "typed,error",
    [
        (True, "第 7 行（1-3）：得分必须是数字，例如 7 或 7.5。"),
        ("7 分", "第 7 行（1-3）：得分必须是数字，例如 7 或 7.5。"),
    ],
)
def test_points_that_are_no_number_name_the_row(chaoyang, typed, error):
    book = _book(chaoyang)
    row = _row(book["稽核工作底稿"], "1-3")
    row[3].value, row[4].value, row[5].value = "不符合", typed, "问题"
    found = _compare(chaoyang, _upload(book))["1-3"]
    assert (found.kind, found.error, found.values) == ("invalid", error, {})


def test_a_row_deleted_or_no_longer_applying_leaves_the_rows_after_it_read(chaoyang):
    """1-2's row deleted from the file and 3-7 (非直投 only) no longer for an agency now 直投:
    both are passed over, and the rows after each are still read (3-8 changed)."""
    from agencies.models import Agency

    book = _book(chaoyang)
    sheet = book["稽核工作底稿"]
    _row(sheet, "3-8")[3].value = "符合"
    sheet.delete_rows(_row(sheet, "1-2")[0].row)
    Agency.objects.filter(pk=chaoyang.agency_id).update(funding_mode="direct")
    rows = _compare(audit_of("004"), _upload(book))
    assert "1-2" not in rows and "3-7" not in rows and len(rows) == 27
    assert rows["3-8"].kind == "changed" and rows["1-3"].kind == "unchanged"


def test_the_preview_takes_the_same_queries_for_one_conflict_or_three(
    client_for, chaoyang, manager, assigned
):
    """Each conflict names who saved it in the portal: read with the rows, not one by one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chaoyang.auditors.add(assigned)
    client = client_for("assigned")

    def preview(codes):
        book = load_workbook(io.BytesIO(client.get(URL + "workpaper.xlsx").content))
        for code in codes:
            row = _row(book["稽核工作底稿"], code)
            row[3].value, row[4].value, row[5].value = "基本符合", 5, "底稿中的问题"
            save(chaoyang, code, manager, result=Result.NON_COMPLIANT, points="1", finding="网上")
        with CaptureQueriesContext(connection) as captured:
            page = _post(client, book).content.decode()
        assert page.count('data-testid="conflict-') == len(codes)
        return len(captured)

    assert preview(["1-3"]) == preview(["1-4", "2-1", "2-2"])


@pytest.mark.parametrize(
    "cell,text",
    [
        (None, None),
        ("  ", None),
        (7, "7"),
        (7.0, "7"),
        (0.0, "0"),  # nought, not a blank (a file of another program may hold 0.0)
        (10.0, "10"),
        (7.5, "7.5"),
        (6.1 + 1e-12, "6.1"),
        (" 7.5 ", "7.5"),
        (True, "True"),  # refused as no number by the scoring rules
    ],
)
def test_a_points_cell_is_read_as_its_shortest_number(cell, text):
    assert workpaper._cell_points(cell) == text


@pytest.mark.parametrize(
    "cell,text",
    [
        (None, ""),
        (2023, "2023"),
        (2023.0, "2023"),  # a number typed in a text column, as written
        (7.5, "7.5"),
        (" 第一行\r\n第二行\r第三行 ", "第一行\n第二行\n第三行"),
    ],
)
def test_a_text_cell_is_read_as_the_portal_keeps_text(cell, text):
    assert workpaper._cell_text(cell) == text


def test_an_invalid_row_leaves_the_rows_after_it_read(chaoyang):
    book = _book(chaoyang)
    sheet = book["稽核工作底稿"]
    _row(sheet, "1-3")[3].value = "差不多符合要求但是还有一些问题需要在下次稽核时再看看"
    _row(sheet, "1-4")[3].value, _row(sheet, "1-4")[4].value = "基本符合", 12
    _row(sheet, "2-1")[3].value = "符合"
    rows = _compare(chaoyang, _upload(book))
    assert rows["1-3"].error == (
        "第 7 行：结果“差不多符合要求但是还有一些问题需要在下次”不是符合、基本符合、不符合、不适用之一。"
    )
    assert rows["1-4"].kind == "invalid" and rows["2-1"].kind == "changed"


def test_the_most_rows_are_read_and_one_more_is_refused(chaoyang, monkeypatch):
    book = _book(chaoyang)
    monkeypatch.setattr(workpaper, "MAX_ROWS", 29)
    assert len(workpaper.read(_upload(book), chaoyang)[1]) == 29
    monkeypatch.setattr(workpaper, "MAX_ROWS", 28)
    with pytest.raises(workpaper.WorkpaperError, match="超过 28 行"):
        workpaper.read(_upload(book), chaoyang)


def test_a_file_of_exactly_5_mb_is_read_and_no_larger(chaoyang):
    junk = SimpleUploadedFile("底稿.xlsx", b"x" * workpaper.MAX_BYTES)
    with pytest.raises(workpaper.WorkpaperError, match="无法作为 Excel 工作簿"):
        workpaper.read(junk, chaoyang)
    junk = SimpleUploadedFile("底稿.xlsx", b"x" * (workpaper.MAX_BYTES + 1))
    with pytest.raises(workpaper.WorkpaperError, match="文件超过 5 MB"):
        workpaper.read(junk, chaoyang)


def test_the_upload_is_read_as_a_stream(chaoyang, monkeypatch):
    """5 MB of workbook can unpack to far more: the file is read row by row (read-only),
    never loaded whole, and its formulas as typed, never evaluated."""
    import openpyxl

    opened = []
    load_workbook = openpyxl.load_workbook

    def spy(*args, **kwargs):
        opened.append(kwargs)
        return load_workbook(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    workpaper.read(_upload(_book(chaoyang)), chaoyang)
    assert opened == [{"read_only": True, "data_only": False}]


def test_the_sheet_says_whose_it_is_when_and_what_to_do(chaoyang):
    import re

    sheet = _book(chaoyang)["稽核工作底稿"]
    assert sheet["A1"].value == "朝阳（004） 2023年度稽核 稽核工作底稿"
    assert (sheet["A1"].font.b, sheet["A1"].font.sz) == (True, 14)
    assert re.fullmatch(
        r"下载于 \d{4}-\d\d-\d\d \d\d:\d\d。只填写“结果”至“不适用原因”各列；"
        r"改好后在评分页“上传工作底稿”，核对后再写入系统。",
        sheet["A2"].value,
    )
    assert sheet["A2"].font.color.rgb == "00666666"  # grey: a note, not the content
    for cell in sheet[workpaper.HEADER_ROW]:
        assert cell.font.b and cell.border.left.style == cell.border.bottom.style == "thin"
        assert (cell.alignment.horizontal, cell.alignment.vertical) == ("center", "center")


def test_a_standard_saved_without_a_result_has_an_empty_result_cell(chaoyang, manager):
    save(chaoyang, "1-3", manager, result="", finding="先记下的问题")
    row = _row(_book(audit_of("004"))["稽核工作底稿"], "1-3")
    assert (row[3].value, row[5].value) == (None, "先记下的问题")


def test_one_standard_gets_its_drop_down_and_none_gets_none():
    from openpyxl import Workbook

    first = workpaper.FIRST_ROW
    sheet = Workbook().active
    workpaper._validations(sheet, first - 1)
    assert sheet.data_validations.dataValidation == []
    workpaper._validations(sheet, first)
    assert [str(dv.sqref) for dv in sheet.data_validations.dataValidation] == [
        f"D{first}",
        f"E{first}",
    ]
