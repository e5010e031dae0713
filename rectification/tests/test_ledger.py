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
        ("status=closed", ["1-2@004"]),
        ("status=overdue", ["2-3@004"]),
        ("category=3", ["3-5@004"]),
        ("standard=2-1", ["2-1@007"]),
        ("status=nonsense&category=x&standard=abc", ["1-2@004", "2-3@004", "3-5@004", "2-1@007"]),
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
