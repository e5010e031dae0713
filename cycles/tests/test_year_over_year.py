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
