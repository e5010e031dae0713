from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import AuditStatus
from checklist.models import Category, Result, Standard
from checklist.tests.helpers import audit_of, save

URL = "/cycles/2023/agencies/004/scoring/"


def test_it_shows_the_29_standards_by_category_with_their_full_text(client_for, auditor):
    audit_of("004").auditors.add(auditor)
    response = client_for("auditor").get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="assessment-item"') == 29
    assert body.index("1. 组织机构管理") < body.index("2. 业务管理") < body.index("3. 财务管理")
    assert "代办处（经办机构）组织健全，建立互助保障工作管理办法。" in body
    assert 'name="result"' in body and " disabled" not in body.split("assessment-fields")[1][:20]


def test_it_shows_saved_values_and_their_history(client_for, auditor):
    audit = audit_of("004")
    audit.auditors.add(auditor)
    save(audit, "1-2", auditor, result=Result.NON_COMPLIANT, points="3", finding="会议记录缺失")
    body = client_for("manager").get(URL).content.decode()
    assert "会议记录缺失" in body
    assert "修改记录（当前第 1 版）" in body
    assert 'value="3"' in body
    assert "暂评" in body


def test_auditors_not_assigned_read_only(client_for):
    body = client_for("auditor").get(URL).content.decode()
    assert "您未被分配到此代办处" in body
    assert '<fieldset class="assessment-fields" disabled>' in body


def test_a_finalized_audit_is_read_only_for_everyone(client_for):
    audit = audit_of("004")
    audit.status = AuditStatus.FINALIZED
    audit.save()
    for persona in ("manager", "auditor"):
        body = client_for(persona).get(URL).content.decode()
        assert "该稽核已定稿，评分只读" in body
        assert "提交复核" not in body


def test_agency_staff_never_see_the_scoring_page(client_for):
    assert client_for("staff004").get(URL).status_code == 403
    assert client_for("staff007").get(URL).status_code == 404


def test_standards_for_other_funding_modes_are_left_out(client_for):
    from agencies.models import FundingMode

    audit = audit_of("004")
    audit.agency.funding_mode = FundingMode.DIRECT
    audit.agency.save()
    body = client_for("manager").get(URL).content.decode()
    assert body.count('class="assessment-item"') == 28
    assert "非直投经办机构应按照总会" not in body


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_number_of_standards(client_for, auditor, cycle):
    audit = audit_of("004")
    audit.auditors.add(auditor)
    save(audit, "1-1", auditor, result=Result.COMPLIANT)
    save(audit, "1-1", auditor, result=Result.LARGELY_COMPLIANT, points="8", finding="x")
    client = client_for("auditor")
    with_29 = _queries(client)

    extra = Category.objects.create(cycle=cycle, position=4, name="附加检查")
    Standard.objects.bulk_create(
        Standard(category=extra, number=n, text=f"附加标准 {n}", max_points=Decimal(5))
        for n in range(1, 72)
    )
    for number in (1, 2, 3):
        save(audit, f"4-{number}", auditor, result=Result.COMPLIANT)
    with_100 = _queries(client)

    assert client.get(URL).content.decode().count('class="assessment-item"') == 100
    assert with_100 == with_29


def test_it_shows_each_standards_scope_and_when_the_agencys_mode_is_unset(client_for):
    from agencies.models import Agency, FundingMode

    body = client_for("manager").get(URL).content.decode()
    item = body[body.index('<span class="standard-code">3-7</span>') :][:2000]
    assert 'data-testid="scope">仅限非直投代办处<' in item
    assert body.count('data-testid="scope"') == 1
    assert 'data-testid="mode-unset"' in body
    assert "尚未设置“直投／非直投”" in body and "（3-7）" in body

    Agency.objects.filter(code="004").update(funding_mode=FundingMode.INDIRECT)
    body = client_for("manager").get(URL).content.decode()
    assert 'data-testid="mode-unset"' not in body
    assert 'data-testid="scope">仅限非直投代办处<' in body

    Agency.objects.filter(code="004").update(funding_mode=FundingMode.DIRECT)
    body = client_for("manager").get(URL).content.decode()
    assert '<span class="standard-code">3-7</span>' not in body  # not applicable at all


def test_each_standards_urls_are_built_as_reverse_would(client_for, auditor):
    """The page builds each standard's save and evidence URLs from its own (no reverse()
    per standard): they must be the ones the URL patterns give, with a code that needs
    quoting too."""
    from django.urls import reverse

    from checklist.views import _item_url, _rows

    audit = audit_of("004")
    audit.agency.code = "0004"
    standards = list(
        Standard.objects.filter(category__cycle=audit.cycle).select_related("category")
    )
    for row in _rows(audit, standards):
        args = [2023, "0004", row.standard.category.position, row.standard.number]
        assert row.url == reverse("assessment", args=args)
        assert row.evidence_url == reverse("link_evidence", args=args)
        assert _item_url(audit, row.standard) == row.url


def test_the_result_buttons_mark_the_saved_result(client_for, auditor):
    audit = audit_of("004")
    audit.auditors.add(auditor)
    save(audit, "1-2", auditor, result=Result.LARGELY_COMPLIANT, points="7", finding="记录不全")
    body = client_for("manager").get(URL).content.decode()
    item = body.split('id="item-', 3)[2]  # the second standard, 1-2
    assert item.count('type="radio"') == len(Result.choices)
    assert 'value="largely" id="result-' in item
    assert item.count(" checked>") == 1
    assert '-largely" checked>' in item
    assert ">基本符合</label>" in item
    max_points = Standard.objects.get(category__cycle=audit.cycle, category__position=1, number=2)
    assert f"满分 {max_points.max_points.normalize():f} 分" in item
