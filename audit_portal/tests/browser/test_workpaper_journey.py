"""The work paper in Chromium: an auditor downloads it from the scoring page, edits it in a
spreadsheet program saved again by LibreOffice, brings it back while a manager changed one standard online, chooses
the work paper's value for that one, and the history says where each value came from."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from audit_portal.testing import persona_user
from audit_portal.tests.browser.navigation import arrive
from checklist.models import Result
from checklist.tests.helpers import audit_of, save
from checklist.tests.test_workpaper import libreoffice_resave

pytestmark = pytest.mark.browser

SCORING = "/cycles/2023/agencies/004/scoring/"


def test_download_edit_upload_resolve_and_read_the_history(
    browser_for, portal, seeded_transactional_db, tmp_path
):
    audit = audit_of("004")
    audit.auditors.add(persona_user("assigned"))
    save(audit, "1-2", persona_user("manager"), result=Result.COMPLIANT)
    auditor = browser_for("assigned")
    auditor.goto(portal + SCORING)
    with auditor.expect_download() as download:
        auditor.get_by_test_id("workpaper-download").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "2023-004-朝阳-稽核工作底稿.xlsx"

    book = load_workbook(path)
    sheet = book["稽核工作底稿"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=5)}
    rows["1-1"][3].value = "符合"
    rows["1-2"][3].value, rows["1-2"][4].value = "基本符合", 8
    rows["1-2"][5].value = "会议记录缺少签字"
    out = io.BytesIO()
    book.save(out)
    # opened and saved again in a spreadsheet program (LibreOffice, as WPS would)
    edited = tmp_path / "edited.xlsx"
    edited.write_bytes(libreoffice_resave(out.getvalue(), tmp_path))
    # meanwhile a manager changes 1-2 online
    save(
        audit_of("004"),
        "1-2",
        persona_user("manager"),
        result=Result.NON_COMPLIANT,
        points="5",
        finding="无会议记录",
    )

    auditor.get_by_label("导入工作底稿：").set_input_files(str(edited))
    auditor.get_by_test_id("workpaper-upload").click()
    expect(auditor.get_by_test_id("workpaper-counts")).to_have_text(
        "有改动 1 项，冲突 1 项，有误 0 项，未改动 27 项。"
    )
    conflict = auditor.get_by_test_id("conflict-1-2")
    expect(conflict).to_contain_text("系统中由 孟主任")
    expect(conflict).to_contain_text("无会议记录")
    conflict.get_by_label("采用工作底稿的").check()
    auditor.get_by_test_id("workpaper-apply").click()
    arrive(auditor, portal + SCORING)
    expect(auditor.locator(".alert-success")).to_contain_text("已从工作底稿写入 2 项标准")
    item = auditor.locator(
        "#item-" + str(audit_of("004").cycle.categories.get(position=1).standards.get(number=2).pk)
    )
    expect(item.get_by_label("问题描述")).to_have_value("会议记录缺少签字")
    item.get_by_text("修改记录").click()
    expect(item.get_by_test_id("from-workpaper")).to_have_count(1)
