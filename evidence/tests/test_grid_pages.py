"""The document grid a page at a time (issue 16): the filters, the search and the counts
work on the whole cycle in the database, the page shows a slice."""

from datetime import timedelta

from django.utils import timezone

from evidence.models import DocumentRequest, DocumentStatus
from evidence.tests import samples
from evidence.tests.test_grid import upload


def _codes(response):
    return [row["audit"].agency.code for row in response.context["rows"]]


def test_a_page_of_the_grid_with_the_counts_of_the_whole_cycle(client_for, big_roster, chaoyang):
    upload(client_for("staff004"), "004", 1)
    client = client_for("manager")
    response = client.get("/cycles/2023/documents/?page=2")
    assert [row["audit"].serial for row in response.context["rows"]] == list(range(51, 101))
    body = response.content.decode()
    assert "第 51–100 家，共 200 家代办处" in body
    assert 'data-testid="count-submitted">已提交 1<' in body  # 004 is on page 1
    assert 'data-testid="count-missing">未提交 1999<' in body
    assert 'data-testid="count-overdue">逾期 0<' in body


def test_search_by_code_or_name_keeps_the_filter(client_for, big_roster, chaoyang):
    client = client_for("manager")
    assert _codes(client.get("/cycles/2023/documents/?q=朝阳")) == ["004"]
    assert _codes(client.get("/cycles/2023/documents/?q=74")) == ["674"] + [
        f"{n}" for n in range(740, 750)
    ]
    body = client.get("/cycles/2023/documents/?show=missing&q=测试").content.decode()
    assert "共 150 家代办处" in body
    # the other filters keep the search; the search form keeps the filter
    assert 'href="?show=returned&amp;q=%E6%B5%8B%E8%AF%95"' in body
    assert '<input type="hidden" name="show" value="missing">' in body
    long = client.get("/cycles/2023/documents/?q=" + "长" * 300)
    assert long.status_code == 200 and long.context["rows"] == []


def test_an_agency_with_a_row_back_at_missing_still_has_a_missing_document(client_for, chaoyang):
    staff = client_for("staff004")
    for number in range(1, 11):
        upload(staff, "004", number, samples.PDF + bytes([number]))
    manager = client_for("manager")
    assert "004" not in _codes(manager.get("/cycles/2023/documents/?show=missing"))
    # a removed file leaves its row at 未提交 (the item's history stays)
    DocumentRequest.objects.filter(audit=chaoyang, document__number=3).update(
        status=DocumentStatus.MISSING
    )
    response = manager.get("/cycles/2023/documents/?show=missing")
    assert "004" in _codes(response)
    assert 'data-testid="count-missing">未提交 491<' in response.content.decode()


def test_overdue_counts_and_filter_cover_every_page(client_for, cycle, big_roster, chaoyang):
    staff = client_for("staff004")
    for number in range(1, 11):
        upload(staff, "004", number, samples.PDF + bytes([number]))
    manager = client_for("manager")
    assert manager.get("/cycles/2023/documents/?show=overdue").context["rows"] == []
    cycle.document_deadline = timezone.localdate() - timedelta(days=1)
    cycle.save()
    response = manager.get("/cycles/2023/documents/?show=overdue&per_page=200")
    codes = _codes(response)
    assert len(codes) == 199 and "004" not in codes  # 004 sent everything
    assert 'data-testid="count-overdue">逾期 1990<' in response.content.decode()
    last = manager.get("/cycles/2023/documents/?show=overdue&page=4")
    assert [row["audit"].agency.code for row in last.context["rows"]][-1] == "749"
    assert all(cell["overdue"] for cell in last.context["rows"][0]["cells"])
