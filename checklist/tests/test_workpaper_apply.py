"""写入系统 read closely (`make mutate`'s survivors of checklist/workpaper.py): what the preview
says changed, which rows a choice saves, how long a preview holds, and empty values."""

from decimal import Decimal

import pytest
from django.core import signing

from checklist import workpaper
from checklist.models import Result

from .helpers import audit_of, save
from .test_workpaper import _book, _compare, _row, _upload

SHEET = "稽核工作底稿"
POINTS, FINDING = 4, 5  # the columns of 得分 and 问题描述 (from 0: 编码 … 不适用原因)


@pytest.fixture
def chaoyang(db, manager):
    audit = audit_of("004")
    save(audit, "1-1", manager, result=Result.COMPLIANT)
    save(audit, "1-2", manager, result=Result.LARGELY_COMPLIANT, points="8", finding="记录不全")
    return audit_of("004")


def _preview(audit, book) -> str:
    return workpaper.preview_token(audit, list(_compare(audit, _upload(book)).values()))


def test_the_preview_says_each_changed_field_from_the_portals_value_to_the_files(chaoyang):
    book = _book(chaoyang)
    _row(book[SHEET], "1-2")[POINTS].value = 6.5
    lines = _compare(chaoyang, _upload(book))["1-2"].lines()
    # points as the scoring page shows them, whether kept (8.0) or typed (6.5)
    assert lines == [("得分", "8", "6.5")]


def test_a_conflict_kept_as_the_portal_has_it_and_the_rows_after_it_saved(
    chaoyang, manager, assigned
):
    chaoyang.auditors.add(assigned)
    book = _book(chaoyang)
    _row(book[SHEET], "1-2")[POINTS].value = 6
    for column, value in ((3, "基本符合"), (POINTS, 7), (FINDING, "制度未上墙")):
        _row(book[SHEET], "1-3")[column].value = value
    save(chaoyang, "1-2", manager, result=Result.LARGELY_COMPLIANT, points="9", finding="记录不全")
    token = _preview(chaoyang, book)
    saved = workpaper.apply(audit=chaoyang, token=token, choices={"1-2": "portal"}, by=assigned)
    assert saved == 1
    values = {
        (a.standard.category.position, a.standard.number): (a.points, a.finding)
        for a in audit_of("004").assessments.select_related("standard__category")
    }
    assert values[(1, 2)] == (Decimal("9"), "记录不全")
    assert values[(1, 3)] == (Decimal("7"), "制度未上墙")


def test_every_conflict_left_undecided_is_named(chaoyang, manager, assigned):
    chaoyang.auditors.add(assigned)
    book = _book(chaoyang)
    _row(book[SHEET], "1-1")[FINDING].value = "好"
    _row(book[SHEET], "1-2")[POINTS].value = 6
    save(chaoyang, "1-1", manager, result=Result.COMPLIANT, finding="已核实")
    save(chaoyang, "1-2", manager, result=Result.LARGELY_COMPLIANT, points="9", finding="记录不全")
    token = _preview(chaoyang, book)
    with pytest.raises(workpaper.WorkpaperError) as refused:
        workpaper.apply(audit=chaoyang, token=token, choices={}, by=assigned)
    assert "1-1、1-2" in str(refused.value)


def test_a_preview_holds_for_twelve_hours(chaoyang, assigned, monkeypatch):
    import time

    chaoyang.auditors.add(assigned)
    book = _book(chaoyang)
    _row(book[SHEET], "1-2")[POINTS].value = 6
    token = _preview(chaoyang, book)
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + workpaper.PREVIEW_HOURS * 3600 + 5)
    with pytest.raises(workpaper.WorkpaperError, match="此预览已过期或被改动"):
        workpaper.apply(audit=chaoyang, token=token, choices={}, by=assigned)
    monkeypatch.setattr(signing.time, "time", lambda: now + workpaper.PREVIEW_HOURS * 3600 - 5)
    assert workpaper.apply(audit=chaoyang, token=token, choices={}, by=assigned) == 1


def test_a_row_without_points_is_saved_without_points(chaoyang, assigned):
    chaoyang.auditors.add(assigned)
    book = _book(chaoyang)
    row = _row(book[SHEET], "1-2")
    row[3].value = "不适用"
    row[POINTS].value = None
    row[FINDING].value = None
    row[7].value = "本年度无此项业务"
    assert (
        workpaper.apply(audit=chaoyang, token=_preview(chaoyang, book), choices={}, by=assigned)
        == 1
    )
    saved = audit_of("004").assessments.get(standard__category__position=1, standard__number=2)
    assert (saved.result, saved.points, saved.finding) == (Result.NOT_APPLICABLE, None, "")
