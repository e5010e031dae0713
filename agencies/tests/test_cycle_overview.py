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

    assert len(response.context["audits"]) == 500
    assert queries_with_500 == queries_with_50
