"""问题库 analysis across cycles (/problems/ and /problems.xlsx): counted in the database,
filtered, the heat map and the recurring problems, office staff only."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from checklist import problem_types
from checklist.models import Assessment, ProblemType, Result
from checklist.problems import refresh
from checklist.services import submit_audit
from checklist.tests.helpers import audit_of, save, score_everything, standard
from cycles.tests.helpers import next_cycle
from problems import analysis
from reports.services import finalize_and_issue


def leaf(name):
    return ProblemType.objects.get(name=name, parent__isnull=False)


def _tag(audit, code, name):
    """Tag a problem of a finalized audit (the pages no longer change it), then bring the
    问题库's rows in step as ``manage.py refresh_problems`` would."""
    Assessment.objects.filter(audit=audit, standard=standard(code, audit.cycle.year)).update(
        problem_type=leaf(name)
    )
    refresh([audit.agency_id])


def _finalize(code, by, shortfalls, year=2023):
    audit = audit_of(code, year)
    score_everything(audit, by, shortfalls=shortfalls)
    submit_audit(audit=audit, by=by)
    finalize_and_issue(audit=audit_of(code, year), by=by)
    return audit_of(code, year)


@pytest.fixture
def history(manager):
    """2023: 004 with problems on 1-2 (会议) and 3-5 (审批), 007 on 2-3 (理赔); 2024: 004
    again on 1-2 (the same standard: 屡查屡犯) and on 3-1 tagged 审批 (the same type: 屡查屡犯),
    007 on 2-5 and 3-5 (neither before: 3-5 was 004's problem, not 007's)."""
    problem_types.load()
    chaoyang = _finalize("004", manager, ("1-2", "3-5"))
    _tag(chaoyang, "1-2", "会议及研究记录不全")
    _tag(chaoyang, "3-5", "审批手续不全")
    huairou = _finalize("007", manager, ("2-3",))
    _tag(huairou, "2-3", "理赔资料不全")
    next_cycle(manager)
    for code, problem_codes in (("004", ("1-2", "3-1")), ("007", ("2-5", "3-5"))):
        audit = audit_of(code, 2024)
        for problem in problem_codes:
            save(
                audit,
                problem,
                manager,
                result=Result.NON_COMPLIANT,
                points="3",
                finding=f"{problem} 又有问题",
            )
    save(
        audit_of("004", 2024),
        "3-1",
        manager,
        result=Result.NON_COMPLIANT,
        points="3",
        finding="3-1 又有问题",
        problem_type=leaf("审批手续不全").pk,
    )
    return manager


def test_the_figures_by_year_type_category_and_agency(history):
    figures = analysis.analysis(analysis.Filters())
    years = {y["year"]: y for y in figures["years"]}
    assert (years[2023]["problems"], years[2023]["recurring"], years[2023]["agencies"]) == (3, 0, 2)
    assert (years[2024]["problems"], years[2024]["recurring"], years[2024]["agencies"]) == (4, 2, 2)
    assert years[2023]["audits"] == years[2024]["audits"] == 50
    assert years[2024]["per_audit"] == round(4 / 50, 1)
    assert figures["total"] == 7 and figures["recurring_total"] == 2 and figures["untyped"] == 3
    top = [
        (t["type"].name, t["count"], t["agencies"], t["recurring"]) for t in figures["top_types"]
    ]
    assert top == [
        ("审批手续不全", 2, 1, 1),
        ("会议及研究记录不全", 1, 1, 0),
        ("理赔资料不全", 1, 1, 0),
    ]
    categories = {c["name"]: c["counts"] for c in figures["by_category"]}
    assert categories == {"组织机构管理": [1, 1], "业务管理": [1, 1], "财务管理": [1, 2]}
    heat = figures["heat"]
    assert heat["columns"] == ["组织建设", "业务管理", "财务管理", "未分类"]
    rows = {r["agency"].code: [c["n"] for c in r["cells"]] for r in heat["rows"]}
    assert rows == {"004": [1, 0, 2, 1], "007": [0, 1, 0, 2]}
    assert [r["agency"].code for r in heat["rows"]] == ["004", "007"]  # most problems first


def test_filters_narrow_every_figure(history):
    finance = ProblemType.objects.get(name="财务管理")
    by_type = analysis.analysis(analysis.Filters(kind=finance))  # a top-level type: its subtypes
    assert by_type["total"] == 2 and by_type["recurring_total"] == 1
    one_year = analysis.analysis(analysis.Filters(start=2024, end=2024))
    assert [y["year"] for y in one_year["years"]] == [2024] and one_year["total"] == 4
    assert one_year["recurring_total"] == 2  # 2023 still counts as the earlier year
    agency = analysis.analysis(analysis.Filters(agency=audit_of("007").agency))
    assert agency["total"] == 3 and [y["audits"] for y in agency["years"]] == [1, 1]
    category = analysis.analysis(analysis.Filters(category="业务管理"))
    assert category["total"] == 2 and category["recurring_total"] == 0


def test_the_recurring_list_says_when_before(history):
    rows = list(analysis.recurring_rows(analysis.Filters()))
    assert [(r.agency.code, r.standard.code) for r in rows] == [
        ("004", "1-2"),
        ("004", "3-1"),
    ]
    earlier = analysis.earlier_years(rows)
    assert [earlier[r.pk].years for r in rows] == [(2023,), (2023,)]


def test_the_page_shows_it_all_to_the_office(client_for, history):
    page = client_for("auditor").get("/problems/").content.decode()
    assert 'data-testid="problem-totals"' in page and "7 个问题，其中屡查屡犯 2 个" in page
    assert "<svg" in page and 'role="img"' in page
    recurring = page.split('data-testid="recurring-problems"')[1].split("</table>")[0]
    assert "<td>1-2</td><td>未分类</td>" in recurring  # recurring by its standard
    assert "<td>3-1</td><td>财务管理 › 审批手续不全</td>" in recurring  # by its type
    assert recurring.count('<td class="text-nowrap">2023</td>') == 2
    assert 'class="text-end heat-4"' in page  # 004's 财务管理, the most of the map
    narrowed = (
        client_for("manager").get(f"/problems/?type={leaf('审批手续不全').pk}").content.decode()
    )
    assert "2 个问题，其中屡查屡犯 1 个" in narrowed


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=20x3", "年度请写四位数字，例如 2023。"),
        ("category=没有", "没有名为“没有”的类别。"),
        ("type=99999", "请从列表中选择问题类型。"),
        ("agency=999", "没有编码为 999 的代办处。"),
    ],
)
def test_a_filter_that_cannot_be_read_is_named_and_left_out(client_for, history, query, message):
    response = client_for("manager").get(f"/problems/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "7 个问题" in page


def test_the_excel_has_every_figure_and_prints(client_for, history):
    response = client_for("manager").get("/problems.xlsx?from=2023")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["年度趋势", "按类别", "问题类型", "代办处×问题类型", "屡查屡犯"]
    assert [c.value for c in book["年度趋势"][3]] == [2024, 50, 4, 2, 2, 0.1]
    recurring = [[c.value for c in row] for row in book["屡查屡犯"].iter_rows(min_row=2)]
    assert [r[:5] for r in recurring] == [
        [2024, "004", audit_of("004").agency.name, "1-2", "未分类"],
        [2024, "004", audit_of("004").agency.name, "3-1", "财务管理 › 审批手续不全"],
    ]
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"


def test_the_queries_do_not_grow_with_agencies_or_years(client_for, history, manager):
    client = client_for("manager")
    with CaptureQueriesContext(connection) as few:
        client.get("/problems/")
    for code in ("008", "011", "014", "018", "020"):
        for problem in ("1-1", "2-2", "3-3"):
            save(
                audit_of(code, 2024),
                problem,
                manager,
                result=Result.LARGELY_COMPLIANT,
                points="8",
                finding="审批手续不全",
            )
    with CaptureQueriesContext(connection) as many:
        client.get("/problems/")
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


class _Rows:
    """Recurring problems as (year, n) pairs, newest year first, filtered like a queryset."""

    def __init__(self, rows):
        self.rows = rows

    def filter(self, year__in):
        return _Rows([r for r in self.rows if r[0] in year__in])

    def __getitem__(self, wanted):
        return self.rows[wanted]


def test_a_page_of_recurring_problems_reads_only_its_years():
    counts = {2019: 3, 2020: 0, 2021: 5, 2022: 1, 2023: 4}
    everything = [(year, n) for year in sorted(counts, reverse=True) for n in range(counts[year])]
    years = [{"year": year, "recurring": n} for year, n in sorted(counts.items())]
    read = []

    class Rows(_Rows):
        def filter(self, year__in):
            read.append(sorted(year__in))
            return super().filter(year__in)

    paged = analysis.ByYear(Rows(everything), years)
    assert paged.count() == len(paged) == 13
    for start in range(14):
        for stop in range(start, 15):
            assert paged[start:stop] == everything[start:stop], (start, stop)
    read.clear()
    assert paged[3:6] == [(2023, 3), (2022, 0), (2021, 0)]
    assert read == [[2021, 2022, 2023]]
    read.clear()
    assert paged[5:7] == [(2021, 0), (2021, 1)] and read == [[2021]]


def test_the_earlier_years_of_each_row_are_before_its_own(history, manager):
    next_cycle(manager)
    save(
        audit_of("004", 2025), "1-2", manager, result=Result.NON_COMPLIANT, points="3", finding="又"
    )
    rows = list(analysis.recurring_rows(analysis.Filters(agency=audit_of("004").agency)))
    earlier = analysis.earlier_years(rows)
    assert [(r.year, r.standard.code, earlier[r.pk].years) for r in rows] == [
        (2025, "1-2", (2023, 2024)),
        (2024, "1-2", (2023,)),
        (2024, "3-1", (2023,)),
    ]
