"""整改台账: the cycle's items across agencies, filtered, with progress per agency, as a page
and as Excel; the same number of queries for 50 or 500 agencies."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from agencies.models import Agency, Audit

from .. import services
from ..models import RectificationItem
from .helpers import finalized, item_of

LEDGER = "/cycles/2023/rectification/"
XLSX = "/cycles/2023/rectification.xlsx"


@pytest.fixture
def two_agencies(manager, staff004):
    chaoyang = finalized("004", manager)
    huairou = finalized("007", manager, shortfalls=("2-1",))
    item = item_of(chaoyang, "1-2")
    services.answer_item(
        item=item,
        by=staff004,
        answer=services.Answer('=HYPERLINK("http://x")', "王五", timezone.localdate()),
        expected_version=1,
        submit=True,
    )
    services.close_items(audit=chaoyang, items=[item.pk], by=manager)
    RectificationItem.objects.filter(pk=item_of(chaoyang, "2-3").pk).update(
        deadline=timezone.localdate() - timedelta(days=2)
    )
    return chaoyang, huairou


def codes(page):
    return [
        row.item.standard.code + "@" + row.item.audit.agency.code for row in page.context["rows"]
    ]


def test_the_ledger_lists_every_agencys_items_in_roster_order(client_for, two_agencies):
    response = client_for("auditor").get(LEDGER)
    assert codes(response) == ["1-2@004", "2-3@004", "3-5@004", "2-1@007"]
    page = response.content.decode()
    assert "整改台账" in page and "共 4 项" in page
    progress = {
        p.audit.agency.code: (p.total, p.closed, p.overdue, p.rate)
        for p in response.context["progress"]
    }
    assert progress == {"004": (3, 1, 1, 33), "007": (1, 0, 0, 0)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("agency=007", ["2-1@007"]),
        ("agency=朝阳", ["1-2@004", "2-3@004", "3-5@004"]),  # a part of the name
        ("agency=00", []),  # a code is matched whole
        ("status=closed", ["1-2@004"]),
        ("status=overdue", ["2-3@004"]),
        ("category=3", ["3-5@004"]),
        ("standard=2-1", ["2-1@007"]),
        ("status=nonsense&category=x&standard=abc", ["1-2@004", "2-3@004", "3-5@004", "2-1@007"]),
        # a standard's code is two whole numbers: anything else filters nothing
        ("standard=x-1", ["1-2@004", "2-3@004", "3-5@004", "2-1@007"]),
        ("standard=3-1", []),  # standard 1 of category 3, not 2-1
        ("standard=2-", ["1-2@004", "2-3@004", "3-5@004", "2-1@007"]),
    ],
)
def test_filters(client_for, two_agencies, query, expected):
    assert codes(client_for("manager").get(f"{LEDGER}?{query}")) == expected


def test_a_pending_request_for_more_time_is_a_filter(client_for, two_agencies, staff004):
    chaoyang, _huairou = two_agencies
    item = item_of(chaoyang, "3-5")
    services.ask_for_more_time(
        item=item, by=staff004, proposed=item.deadline + timedelta(days=9), reason="r"
    )
    response = client_for("manager").get(f"{LEDGER}?status=extension")
    assert codes(response) == ["3-5@004"]
    assert "延期申请中" in response.content.decode()
    # the Excel says so too
    rows = list(load_workbook(io.BytesIO(client_for("manager").get(XLSX).content)).active.values)
    waiting = [row for row in rows if row[3] == "3-5"]
    assert any("（延期申请中）" in str(cell) for cell in waiting[0])
    assert not any("延期申请中" in str(cell) for row in rows if row[3] == "1-2" for cell in row)


def test_the_category_filter_offers_every_category_and_all(client_for, two_agencies):
    page = client_for("manager").get(LEDGER).content.decode()
    select = page.split('id="filter-category"')[1].split("</select>")[0]
    assert '<option value="">全部类别</option>' in select
    assert '<option value="3">3. 财务管理</option>' in select


def test_lateness_in_the_rows_is_judged_on_the_day_asked_for(two_agencies):
    from ..ledger import ledger_items, ledger_rows

    chaoyang, _huairou = two_agencies
    items = ledger_items(chaoyang.cycle)
    late = item_of(chaoyang, "2-3")
    before_its_deadline = late.deadline - timedelta(days=1)
    by_code = {row.item.pk: row for row in ledger_rows(items, before_its_deadline)}
    assert not by_code[late.pk].overdue
    assert {row.item.pk: row.overdue for row in ledger_rows(items)}[late.pk]
    assert [row.serial for row in ledger_rows(items)] == [1, 2, 3, 4]


def test_the_excel_has_the_offices_columns_and_no_formula(client_for, two_agencies):
    response = client_for("manager").get(XLSX)
    assert response.status_code == 200
    assert (
        "2023%E5%B9%B4%E5%BA%A6%E6%95%B4%E6%94%B9%E5%8F%B0%E8%B4%A6.xlsx"
        in response["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "序号",
        "代办处",
        "编码",
        "稽核标准",
        "问题描述",
        "整改要求",
        "整改措施",
        "责任人",
        "整改期限",
        "完成时间",
        "状态",
        "核验人",
        "销号日期",
    ]
    assert sheet.freeze_panes == "A2"
    first = [cell.value for cell in sheet[2]]
    assert first[:4] == [1, "朝阳", "004", "1-2"]
    assert first[6] == '\'=HYPERLINK("http://x")'  # shown as text, never run
    assert (
        first[10] == "已销号"
        and first[11] == "孟主任"
        and first[12] == timezone.localdate().isoformat()
    )
    assert [row[10].value for row in sheet.iter_rows(min_row=3)] == [
        "待整改（逾期）",
        "待整改",
        "待整改",
    ]
    assert sheet.column_dimensions["E"].width == 40


def test_the_excel_keeps_the_pages_filters(client_for, two_agencies):
    response = client_for("manager").get(f"{XLSX}?agency=007")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2 and sheet["C2"].value == "007"


def test_agency_staff_have_no_ledger(client_for, two_agencies):
    assert client_for("staff004").get(LEDGER).status_code == 403
    assert client_for("staff004").get(XLSX).status_code == 403


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_queries_do_not_grow_with_agencies_and_items(client_for, two_agencies, cycle):
    client = client_for("manager")
    with_50 = (_queries(client, LEDGER), _queries(client, XLSX))
    chaoyang, _huairou = two_agencies
    template = item_of(chaoyang, "3-5")
    agencies = Agency.objects.bulk_create(
        Agency(code=f"{n:03d}", name=f"测试{n}") for n in range(500, 950)
    )
    audits = Audit.objects.bulk_create(
        Audit(cycle=cycle, agency=agency, serial=51 + i) for i, agency in enumerate(agencies)
    )
    RectificationItem.objects.bulk_create(
        RectificationItem(
            audit=audit,
            standard=template.standard,
            result="largely",
            finding="f",
            requirement="r",
            deadline=template.deadline,
        )
        for audit in audits
    )
    assert (_queries(client, LEDGER), _queries(client, XLSX)) == with_50


def _many_agencies_with_items(cycle, template, count=150):
    agencies = Agency.objects.bulk_create(
        Agency(code=f"{n:03d}", name=f"测试{n}") for n in range(600, 600 + count)
    )
    audits = Audit.objects.bulk_create(
        Audit(cycle=cycle, agency=agency, serial=51 + i) for i, agency in enumerate(agencies)
    )
    RectificationItem.objects.bulk_create(
        RectificationItem(
            audit=audit,
            standard=template.standard,
            result="largely",
            finding="f",
            requirement="r",
            deadline=template.deadline,
        )
        for audit in audits
    )


def test_a_long_ledger_comes_a_page_at_a_time_and_agencies_are_searched(
    client_for, two_agencies, cycle
):
    """150 more agencies with an item each: no drop-down of every agency, 50 items and 50
    agencies' progress a page, each list paged on its own, the search narrowing both."""
    chaoyang, _huairou = two_agencies
    _many_agencies_with_items(cycle, item_of(chaoyang, "3-5"))
    client = client_for("manager")
    response = client.get(LEDGER)
    page = response.content.decode()
    assert "<option" not in page.split('id="filter-agency"')[1].split("</div>")[0]
    assert (
        len(response.context["rows"]) == 50
        and response.context["paged"].page.paginator.count == 154
    )
    assert len(response.context["progress"]) == 50
    assert 'data-testid="pager-progress"' in page
    second = client.get(f"{LEDGER}?page=2&progress_page=3")
    assert [row.serial for row in second.context["rows"]][:2] == [51, 52]
    assert second.context["progress"][0].audit.agency.code == "698"  # 004, 007, 600… 101st
    links = second.content.decode()
    assert 'href="?progress_page=3&amp;page=3"' in links  # the items' next page keeps the other
    assert 'href="?page=2&amp;progress_page=2"' in links  # and the agencies' previous page
    found = client.get(f"{LEDGER}?agency=测试7")
    assert {row.item.audit.agency.code for row in found.context["rows"]} == {
        f"{n}" for n in range(700, 750)
    }
    assert {p.audit.agency.code for p in found.context["progress"]} == {
        f"{n}" for n in range(700, 750)
    }


def test_an_agencys_progress_counts_its_own_live_items_only(two_agencies):
    """朝阳's three items: one closed, one overdue; 怀柔's item and a withdrawn one of 朝阳's
    are not counted (the agency page and the 整改情况报告 read this)."""
    from ..ledger import progress

    chaoyang, huairou = two_agencies
    assert progress(chaoyang) == ledger_progress(3, 1, 1)
    RectificationItem.objects.filter(pk=item_of(chaoyang, "3-5").pk).update(
        withdrawn=True, status="closed", closed_at=timezone.now()
    )
    assert progress(chaoyang) == ledger_progress(2, 1, 1)
    assert progress(chaoyang).rate == 50
    assert progress(huairou) == ledger_progress(1, 0, 0)


def ledger_progress(total, closed, overdue):
    from ..ledger import Progress

    return Progress(total=total, closed=closed, overdue=overdue)


def test_a_form_it_cannot_read_filters_neither_list(client_for, two_agencies):
    """Anything unknown is not applied, in the items and in the agencies' table alike."""
    page = client_for("manager").get(f"{LEDGER}?agency=007&status=nonsense").content.decode()
    table = page.split('data-testid="agency-progress"')[1].split("</table>")[0]
    assert "朝阳" in table and "怀柔" in table
