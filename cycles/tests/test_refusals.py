"""Starting the next cycle refuses what it cannot do, saying why, and changes nothing."""

import io
from datetime import date

import pytest
from openpyxl import Workbook

from agencies.models import Cycle
from cycles.services import (
    PlanError,
    _moved_date,
    build_plan,
    create_next_cycle,
    parse_roster,
    roster_from_xlsx,
)
from cycles.tests.helpers import form_data, next_cycle

URL = "/cycles/new/"


def _workbook(rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.size = len(out.getvalue())
    return out


@pytest.mark.parametrize(
    "rows,message",
    [
        ([], "名单文件是空的"),
        ([["名称"], ["朝阳"]], "第一行须为列名"),
        ([["编码", "序号"], ["004", "一"]], "第 2 行："),
    ],
)
def test_roster_files_that_cannot_be_read_say_why(db, rows, message):
    with pytest.raises(PlanError, match=message):
        roster_from_xlsx(_workbook(rows))


def test_a_roster_file_over_5_mb_is_refused(db):
    upload = io.BytesIO(b"x")
    upload.size = 6 * 1024 * 1024
    with pytest.raises(PlanError, match="超过 5 MB"):
        roster_from_xlsx(upload)


def test_roster_lines_too_many_or_a_name_too_long(db):
    assert "名单最多 10000 行" in parse_roster("004\n" * 10_001)[1][0]
    assert "名称超过 100 个字符" in parse_roster("004 " + "长" * 101)[1][0]
    assert parse_roster("\n \n")[1] == ["名单为空：请至少列出一个代办处。"]


def test_a_roster_of_bad_lines_names_each_line_and_is_not_called_empty(db):
    rows, errors = parse_roster("朝阳\n1234567 平谷")
    assert rows == [] and len(errors) == 2
    assert errors[0].startswith("第 1 行") and errors[1].startswith("第 2 行")


def test_every_bad_line_is_named_and_the_lines_after_it_still_read(db):
    bad_code = "第 {} 行：“{}” 不是代办处编码（3 到 6 位数字，例如 004）。"
    rows, errors = parse_roster("x1\n004 " + "名" * 101 + "\n004 朝阳\n004\n7 怀柔\ny2")
    assert rows == [("004", "朝阳", None), ("007", "怀柔", None)]
    assert errors == [
        bad_code.format(1, "x1"),
        "第 2 行：名称超过 100 个字符。",
        "第 4 行：代办处 004 已在第 3 行。",
        bad_code.format(6, "y2"),
    ]
    # a long bad code is quoted by its first 20 characters
    assert parse_roster("1234567890123456789012345")[1] == [
        bad_code.format(1, "12345678901234567890")
    ]


def test_the_rosters_limits_are_reached_not_passed(db, monkeypatch):
    """A roster may have exactly its most lines, a name exactly 100 characters; a line of
    a code and 直投/非直投 changes the mode without a name."""
    from cycles import services

    monkeypatch.setattr(services, "ROSTER_MAX", 3)
    assert parse_roster("004\n007\n008") == (
        [("004", "", None), ("007", "", None), ("008", "", None)],
        [],
    )
    assert parse_roster("004\n007\n008\n009") == ([], ["名单最多 3 行。"])
    name = "名" * 100
    assert parse_roster(f"004 {name}") == ([("004", name, None)], [])
    assert parse_roster("004 直投") == ([("004", "", "direct")], [])


def test_roster_lines_split_at_chinese_and_latin_commas_and_enumeration_marks(db):
    rows, errors = parse_roster("004，朝阳代办处，直投\n7,怀柔 代办处\n008、平谷、非直投")
    assert errors == []
    assert rows == [
        ("004", "朝阳代办处", "direct"),
        ("007", "怀柔 代办处", None),
        ("008", "平谷", "indirect"),
    ]


def test_every_document_left_out_is_refused(client_for, cycle):
    empty = {f"document_{n}": "" for n in range(1, 11)}
    response = client_for("manager").post(URL, form_data(**empty) | {"action": "preview"})
    assert response.status_code == 422
    assert "请至少保留一项应备资料" in response.content.decode()


def test_29_february_moves_to_28_february():
    assert _moved_date(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert _moved_date(None, 1) is None


def test_without_any_cycle_the_page_says_who_starts_one(client_for, cycle):
    Cycle.objects.all().delete()
    client = client_for("manager")
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"] == "/cycles/"
    assert "请系统管理员先建立第一个年度" in client.get("/cycles/").content.decode()


def test_a_plan_made_before_someone_else_created_the_year_is_refused(cycle, manager):
    from cycles.forms import NextCycleForm

    form = NextCycleForm(form_data(), source=cycle)
    assert form.is_valid()
    plan, _errors = build_plan(cycle, form.values())
    next_cycle(manager)  # someone else, meanwhile
    with pytest.raises(PlanError, match="2024 年度已存在"):
        create_next_cycle(plan, by=manager)
    plan.year = 2025
    with pytest.raises(PlanError, match="已有人从 2023 年度创建了下一年度"):
        create_next_cycle(plan, by=manager)


def test_the_create_post_answers_409_when_the_plan_cannot_be_carried_out(
    client_for, cycle, manager
):
    client = client_for("manager")
    page = client.post(URL, form_data() | {"action": "preview"}).content.decode()
    fingerprint = page.split('name="previewed" value="')[1].split('"')[0]
    from unittest import mock

    with mock.patch("cycles.views.create_next_cycle", side_effect=PlanError("已被他人创建")):
        response = client.post(URL, form_data() | {"action": "create", "previewed": fingerprint})
    assert response.status_code == 409 and "已被他人创建" in response.content.decode()


def test_a_roster_file_of_exactly_5_mb_is_read(db):
    upload = _workbook([["编码"], ["004"]])
    upload.size = 5 * 1024 * 1024
    assert roster_from_xlsx(upload) == "004"
    upload = _workbook([["编码"], ["004"]])
    upload.size = 5 * 1024 * 1024 + 1
    with pytest.raises(PlanError, match="超过 5 MB"):
        roster_from_xlsx(upload)


def test_a_roster_file_is_read_as_the_office_wrote_it(db):
    """Only 编码 needed; blank rows passed over, not the end; a name on two lines kept on
    one; no 直投／非直投 written, none guessed; a formula read as its value, never as
    itself."""
    assert roster_from_xlsx(_workbook([["编码"], ["004"], [None], [7]])) == "004\n007"
    book = _workbook(
        [
            ["编码", "名称", "直投／非直投"],
            ["004", "朝阳\n代办处", "直投"],
            [None, None, None],
            ["008", "密云", ""],
            ["009", "=A1", "非直投"],
        ]
    )
    assert roster_from_xlsx(book) == "004 朝阳 代办处 直投\n008 密云\n009 非直投"


def test_every_bad_row_is_named_not_only_the_first(db):
    with pytest.raises(PlanError) as refused:
        roster_from_xlsx(_workbook([["编码", "序号"], ["004", "一"], ["007", 2], ["008", "三"]]))
    assert "第 2 行：" in str(refused.value) and "第 4 行：" in str(refused.value)


def test_a_roster_file_longer_than_allowed_is_refused_not_cut_short(db):
    whole = [["编码"]] + [[f"{n:05d}"] for n in range(1, 10_001)]
    assert roster_from_xlsx(_workbook(whole)).splitlines()[-1] == "10000"
    with pytest.raises(PlanError, match="名单最多 10000 行"):
        roster_from_xlsx(_workbook([*whole, ["10001"]]))


def test_a_long_file_is_read_no_further_than_one_row_past_the_limit(db, monkeypatch):
    """5 MB of workbook can hold a million rows: the worker reads the header, the rows
    allowed and one more (to tell the file is too long), never the rest."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    from cycles import services

    read = []
    iter_rows = ReadOnlyWorksheet.iter_rows

    def counted(self, *args, **kwargs):
        for row in iter_rows(self, *args, **kwargs):
            read.append(row)
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "iter_rows", counted)
    monkeypatch.setattr(services, "ROSTER_MAX", 5)
    with pytest.raises(PlanError, match="名单最多 5 行"):
        roster_from_xlsx(_workbook([["编码"]] + [[f"{n:03d}"] for n in range(1, 101)]))
    assert len(read) == 1 + 5 + 1


def test_the_first_ten_bad_rows_are_named_one_after_another(db):
    rows = [["编码", "序号"]] + [["004", "一"]] * 11
    with pytest.raises(PlanError) as refused:
        roster_from_xlsx(_workbook(rows))
    said = "“一”不是整数，请填写如 3 这样的整数。"
    assert str(refused.value) == " ".join(f"第 {n} 行：{said}" for n in range(2, 12))


def test_rows_of_the_same_serial_keep_the_files_order(db):
    rows = [["编码", "序号"], ["008", 2], ["007", 1], ["004", 1]]
    assert roster_from_xlsx(_workbook(rows)) == "007\n004\n008"


def test_every_new_agency_without_a_name_is_named(cycle):
    """Two agencies new to the portal, neither named: both are said, with the roster's
    agencies after them still read."""
    from cycles.forms import NextCycleForm

    roster = "901\n004\n902\n004"
    form = NextCycleForm(form_data(cycle, roster=roster), source=cycle)
    assert form.is_valid(), form.errors
    _plan, errors = build_plan(cycle, form.values())
    assert errors == [
        ("roster", "第 4 行：代办处 004 已在第 2 行。"),
        ("roster", "代办处 901 是系统中没有的新代办处，请在编码后写上名称。"),
        ("roster", "代办处 902 是系统中没有的新代办处，请在编码后写上名称。"),
    ]
