import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency, Audit, AuditStatus


def test_it_lists_the_fifty_agencies_in_roster_order(client_for):
    response = client_for("manager").get("/cycles/2023/")
    assert response.status_code == 200
    audits = list(response.context["audits"])
    assert [a.serial for a in audits] == list(range(1, 51))
    assert (audits[0].agency.code, audits[0].agency.name) == ("004", "朝阳")
    body = response.content.decode()
    assert body.index("朝阳") < body.index("怀柔") < body.index("外企")
    assert ">004<" in body and ">042<" in body


def test_it_shows_the_status_of_each_audit_and_counts_per_status(client_for, cycle):
    Audit.objects.filter(cycle=cycle, agency__code="004").update(status=AuditStatus.IN_PROGRESS)
    response = client_for("auditor").get("/cycles/2023/")
    body = response.content.decode()
    assert "稽核中 1" in body
    assert "未开始 49" in body
    assert 'status-in_progress">稽核中</span>' in body


def test_it_shows_assigned_auditors(client_for, cycle, auditor):
    Audit.objects.get(cycle=cycle, agency__code="007").auditors.add(auditor)
    body = client_for("manager").get("/cycles/2023/").content.decode()
    assert auditor.full_name in body
    assert "未分配" in body


def test_it_is_in_chinese_by_default(client_for):
    response = client_for("manager").get("/cycles/2023/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    body = response.content.decode()
    assert '<html lang="zh-CN">' in body
    assert "序号" in body and "编码" in body and "代办处" in body


def _count_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cycles/2023/")
    assert response.status_code == 200
    return len(queries), response


def test_queries_do_not_grow_with_the_number_of_agencies(client_for, cycle, auditor):
    client = client_for("manager")
    Audit.objects.get(cycle=cycle, agency__code="004").auditors.add(auditor)
    queries_with_50, _ = _count_queries(client)

    agencies = Agency.objects.bulk_create(
        Agency(code=f"{n:03d}", name=f"测试代办处{n}") for n in range(500, 950)
    )
    audits = Audit.objects.bulk_create(
        Audit(cycle=cycle, agency=agency, serial=51 + i) for i, agency in enumerate(agencies)
    )
    for audit in audits[::7]:
        audit.auditors.add(auditor)
    queries_with_500, response = _count_queries(client)

    # one page of the default size for a long roster; the counts are the whole roster's
    assert len(response.context["audits"]) == 50
    assert response.context["paged"].page.paginator.count == 500
    assert "未开始 500" in response.content.decode()
    assert queries_with_500 == queries_with_50


def _scored(code, *, total, grade, status=AuditStatus.IN_PROGRESS, scored=29):
    Audit.objects.filter(agency__code=code).update(
        total_score=total,
        grade=grade,
        status=status,
        scored_count=scored,
        category_scores=[
            {"position": 1, "name": "组织机构管理", "score": "90.0"},
            {"position": 2, "name": "业务管理", "score": None},
            {"position": 3, "name": "财务管理", "score": "75.5"},
        ],
    )


def test_it_shows_progress_total_grade_and_category_scores(client_for):
    _scored("004", total="87.5", grade="good", scored=12)
    body = client_for("manager").get("/cycles/2023/").content.decode()
    row = body[body.index('data-code="004"') : body.index('data-code="007"')]
    assert "12/29" in row
    assert "87.5" in row and "良好" in row
    assert 'class="text-end provisional"' in row
    # one column per category, headed by its short name with the whole name on hover
    headings = re.findall(r'title="([^"]+)" data-testid="category-heading">([^<]+)<', body)
    assert headings == [("组织机构管理", "组织"), ("业务管理", "业务"), ("财务管理", "财务")]
    cells = re.findall(r'class="text-end col-category small provisional">(.*?)</td>', row)
    assert cells == ["90.0", '<span class="text-secondary">—</span>', "75.5"]
    assert "组织 = 组织机构管理、业务 = 业务管理、财务 = 财务管理。" in body


def test_filters_by_status_grade_and_auditor(client_for, auditor):
    _scored("004", total="95.0", grade="excellent", status=AuditStatus.FINALIZED)
    _scored("007", total="55.0", grade="fail")
    Audit.objects.get(agency__code="008").auditors.add(auditor)
    client = client_for("manager")

    def codes(query):
        return [a.agency.code for a in client.get("/cycles/2023/?" + query).context["audits"]]

    assert codes("status=finalized") == ["004"]
    assert codes("grade=fail") == ["007"]
    assert codes("grade=none")[:2] == ["008", "011"]
    assert codes(f"auditor={auditor.pk}") == ["008"]
    assert len(codes("auditor=none")) == 49
    assert len(codes("status=bogus")) == 50  # a bad filter is ignored, not an error


def test_sorts_by_total_with_unscored_last(client_for):
    _scored("007", total="55.0", grade="fail")
    _scored("008", total="91.0", grade="excellent")
    audits = client_for("manager").get("/cycles/2023/?sort=total").context["audits"]
    assert [a.agency.code for a in audits[:3]] == ["008", "007", "004"]


def test_counts_per_status_and_a_grade_chart(client_for):
    _scored("004", total="95.0", grade="excellent", status=AuditStatus.FINALIZED)
    _scored("007", total="85.0", grade="good")
    body = client_for("manager").get("/cycles/2023/").content.decode()
    assert 'data-testid="count-finalized">已定稿 1<' in body
    assert 'data-testid="count-in_progress">稽核中 1<' in body
    assert "<svg" in body and 'aria-label="等级分布"' in body
    # the chart counts the finalized audit only; the provisional grade is listed apart
    chart = body[body.index("<svg") : body.index("</svg>")]
    counts = re.findall(r'class="chart-count">(\d+)<', chart)
    assert counts == ["1", "0", "0", "0"]
    assert "（已定稿 1 个）" in body
    assert "尚未定稿（暂评，不计入图表）： 良好 1" in body


def test_only_managers_see_the_assignment_controls(client_for):
    assert 'name="auditors"' in client_for("manager").get("/cycles/2023/").content.decode()
    assert 'name="auditors"' not in client_for("auditor").get("/cycles/2023/").content.decode()


def test_queries_do_not_grow_with_scores_and_filters(client_for, cycle, auditor):
    client = client_for("manager")
    _scored("004", total="95.0", grade="excellent")
    with CaptureQueriesContext(connection) as first:
        client.get("/cycles/2023/?sort=grade")
    agencies = Agency.objects.bulk_create(
        Agency(code=f"{n:03d}", name=f"测试{n}") for n in range(500, 950)
    )
    audits = Audit.objects.bulk_create(
        Audit(cycle=cycle, agency=a, serial=51 + i, total_score="70.0", grade="pass")
        for i, a in enumerate(agencies)
    )
    for audit in audits[::5]:
        audit.auditors.add(auditor)
    with CaptureQueriesContext(connection) as second:
        response = client.get("/cycles/2023/?sort=grade&per_page=200&page=2")
    assert len(response.context["audits"]) == 200
    assert len(second) == len(first)


def test_column_headers_sort_and_keep_the_filters(client_for):
    body = client_for("manager").get("/cycles/2023/?status=in_progress&sort=code").content.decode()
    assert 'href="?status=in_progress&amp;sort=total"' in body
    assert 'aria-sort="ascending"><a href="?status=in_progress&amp;sort=code"' in body
