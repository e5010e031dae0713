"""Year over year: the overview's 上年总分 and change, the agency's results by cycle with
their chart, in the page and in the report."""

from decimal import Decimal

import pytest

from agencies.models import Audit
from checklist.services import submit_audit
from checklist.tests.helpers import audit_of, score_everything
from rectification.tests.helpers import finalized
from reports.data import agency_report
from reports.services import finalize_and_issue

from .helpers import next_cycle


def finalize_2024(code, by, shortfalls=()):
    audit = audit_of(code, 2024)
    score_everything(audit, by, shortfalls=shortfalls)
    submit_audit(audit=audit, by=by)
    finalize_and_issue(audit=audit, by=by)
    return audit_of(code, 2024)


@pytest.fixture
def two_years(manager):
    """004 finalized in 2023 with three findings and in 2024 with one; 007 in 2023 only
    with two; 2024's 007 is scored but not finalized."""
    finalized("004", manager)
    finalized("007", manager, shortfalls=("1-1", "1-2"))
    next_cycle(manager)
    finalize_2024("004", manager, shortfalls=("2-3",))
    score_everything(audit_of("007", 2024), manager, shortfalls=("1-1",))
    return audit_of("004"), audit_of("004", 2024)


def test_the_overview_shows_last_years_total_and_the_change(client_for, two_years):
    then, now = two_years
    page = client_for("manager").get("/cycles/2024/").content.decode()
    assert "上年总分" in page and "变化" in page
    change = now.total_score - then.total_score
    assert change > 0
    assert f'data-testid="previous-004">{then.total_score:.1f}<' in page
    assert f'data-testid="change-004">+{change:.1f}<' in page
    other = Audit.objects.filter(cycle__year=2024).exclude(agency__code__in=["004", "007"])[0]
    code = other.agency.code
    assert f'data-testid="previous-{code}">—<' in page  # no finalized audit last year
    assert f'data-testid="change-{code}">—<' in page


def _order(client, sort):
    page = client.get(f"/cycles/2024/?sort={sort}").content.decode()
    return [chunk.split('"')[0] for chunk in page.split('<tr data-code="')[1:]]


def test_the_overview_sorts_by_last_year_and_by_change(client_for, two_years):
    client = client_for("manager")
    audits = {code: (audit_of(code), audit_of(code, 2024)) for code in ("004", "007")}
    change = {code: now.total_score - then.total_score for code, (then, now) in audits.items()}
    assert change["004"] != change["007"]
    # the larger rise first, then the other, then those without a change (by serial)
    assert _order(client, "change")[:2] == sorted(change, key=change.get, reverse=True)
    previous = {code: then.total_score for code, (then, _now) in audits.items()}
    assert _order(client, "previous")[:2] == sorted(previous, key=previous.get, reverse=True)
    rest = _order(client, "change")[2:]
    serials = [audit_of(code, 2024).serial for code in rest]
    assert serials == sorted(serials)


def test_a_cycle_without_a_previous_one_has_no_such_columns(client_for, cycle):
    assert "上年总分" not in client_for("manager").get("/cycles/2023/").content.decode()


def test_the_agency_page_lists_every_finalized_cycle_with_a_chart(client_for, two_years):
    then, now = two_years
    for persona in ("auditor", "staff004"):
        page = client_for(persona).get("/cycles/2024/agencies/004/").content.decode()
        block = page.split('data-testid="history"')[1].split("</section>")[0]
        assert "历年稽核结果" in block and "<svg" in block
        assert f"{then.total_score:.1f}" in block.split('data-testid="history-2023"')[1]
        assert f"{now.total_score:.1f}" in block.split('data-testid="history-2024"')[1]
    # 007's 2024 audit is not finalized: its scores are nobody's business yet
    page = client_for("staff007").get("/cycles/2024/agencies/007/").content.decode()
    block = page.split('data-testid="history"')[1].split("</section>")[0]
    assert 'data-testid="history-2024"' not in block and 'data-testid="history-2023"' in block


def test_the_report_carries_the_same_history(two_years):
    _then, now = two_years
    data = agency_report(now)
    assert [a.cycle.year for a in data["history"]] == [2023, 2024]
    assert 'class="history-chart"' in data["history_chart"]
    assert ">2023<" in data["history_chart"] and ">2024<" in data["history_chart"]
    assert Decimal(data["history"][0].total_score) < Decimal(data["history"][1].total_score)


def test_the_circular_compares_with_last_year(two_years):
    from reports.data import circular

    then, now = two_years
    data = circular(now.cycle)
    comparison = data["comparison"]
    assert comparison["previous"].year == 2023
    assert comparison["count_then"] == 2 and comparison["count_now"] == 1
    assert comparison["compared"] == 1
    assert [m["audit"].agency.code for m in comparison["up"]] == ["004"]
    assert comparison["up"][0]["change"] == now.total_score - then.total_score
    assert comparison["down"] == []
    assert sum(now for _label, _then, now in comparison["grades"]) == 1
    assert sum(then for _label, then, _now in comparison["grades"]) == 2
    assert circular(then.cycle)["comparison"] is None


def test_the_circular_pdf_and_excel_carry_the_comparison(client_for, two_years):
    import io
    import subprocess

    from openpyxl import load_workbook

    client = client_for("manager")
    pdf = client.get("/cycles/2024/circular.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=b"".join(pdf.streaming_content) if pdf.streaming else pdf.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "与上年比较" in text and "上升" in text
    book = load_workbook(io.BytesIO(client.get("/cycles/2024/circular.xlsx").content))
    sheet = book["与上年比较"]
    labels = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "上升：004 朝阳" in labels


def test_scores_xlsx_has_every_agencys_totals_by_year(client_for, two_years):
    import io

    from openpyxl import load_workbook

    then, now = two_years
    response = client_for("manager").get("/cycles/2024/scores.xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["历年总分"]
    header = [cell.value for cell in sheet[1]]
    assert header[3:] == ["2023年总分", "2023年等级", "2024年总分", "2024年等级"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["004"][3] == float(then.total_score) and rows["004"][5] == float(now.total_score)
    assert rows["007"][3] is not None and rows["007"][5] is None  # 2024 not finalized
