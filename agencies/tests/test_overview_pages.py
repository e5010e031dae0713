"""The overview a page at a time (issue 16): search, page sizes, links that keep the filter,
and assigning to every agency that matches, across pages."""

import re

import pytest

from agencies.models import Agency, Audit, AuditEvent, AuditStatus


def _codes(response):
    return [audit.agency.code for audit in response.context["audits"]]


def test_the_beijing_roster_fits_on_one_page_without_page_links(client_for):
    body = client_for("manager").get("/cycles/2023/").content.decode()
    assert "第 1–50 家，共 50 家代办处" in body
    assert 'rel="next"' not in body
    assert 'data-testid="all-matching"' not in body  # one page: the page's own box is enough
    assert 'data-testid="check-page"' in body


def test_a_large_roster_comes_a_page_at_a_time(client_for, big_roster):
    client = client_for("manager")
    first = client.get("/cycles/2023/")
    assert len(first.context["audits"]) == 50
    body = first.content.decode()
    assert "第 1–50 家，共 200 家代办处" in body
    assert 'href="?page=2" rel="next"' in body
    assert "未开始 200" in body  # counts are the whole roster's, not the page's
    second = client.get("/cycles/2023/?page=2")
    assert [a.serial for a in second.context["audits"]] == list(range(51, 101))
    assert len(client.get("/cycles/2023/?per_page=200").context["audits"]) == 200
    assert len(client.get("/cycles/2023/?per_page=100&page=2").context["audits"]) == 100


def test_up_to_a_hundred_agencies_stay_on_one_page(client_for, cycle):
    Audit.objects.bulk_create(
        Audit(cycle=cycle, agency=agency, serial=51 + i)
        for i, agency in enumerate(
            Agency.objects.bulk_create(
                Agency(code=f"{n}", name=f"测试{n}") for n in range(600, 650)
            )
        )
    )
    response = client_for("manager").get("/cycles/2023/")
    assert len(response.context["audits"]) == 100
    assert 'rel="next"' not in response.content.decode()
    assert len(client_for("manager").get("/cycles/2023/?per_page=50").context["audits"]) == 50
    Audit.objects.create(
        cycle=cycle, agency=Agency.objects.create(code="700", name="第101个"), serial=101
    )
    assert len(client_for("manager").get("/cycles/2023/").context["audits"]) == 50


@pytest.mark.parametrize(
    ("query", "first_serial", "size"),
    [
        ("page=99", 151, 50),  # past the end: the last page
        ("page=abc", 1, 50),  # nonsense: the first
        ("page=-1", 151, 50),  # Django's get_page: out of range is the last page
        ("per_page=7", 1, 50),  # not one of 50/100/200: the default
        ("per_page=100000", 1, 50),
        ("per_page=%EF%BC%95%EF%BC%90", 1, 50),  # full-width digits are not 50
        ("per_page=100&page=2", 101, 100),
    ],
)
def test_odd_page_numbers_and_sizes_give_a_page(client_for, big_roster, query, first_serial, size):
    response = client_for("manager").get(f"/cycles/2023/?{query}")
    assert response.status_code == 200
    audits = response.context["audits"]
    assert (audits[0].serial, len(audits)) == (first_serial, size)


def test_search_by_code_or_name(client_for, big_roster):
    client = client_for("manager")
    assert _codes(client.get("/cycles/2023/?q=朝阳")) == ["004"]
    assert _codes(client.get("/cycles/2023/?q=%20007%20")) == ["007"]  # spaces trimmed
    by_code = _codes(client.get("/cycles/2023/?q=70"))
    assert by_code == ["670"] + [f"{n}" for n in range(700, 710)]  # roster order
    response = client.get("/cycles/2023/?q=不存在的代办处")
    assert _codes(response) == []
    assert "没有符合筛选条件的代办处。" in response.content.decode()


def test_search_combines_with_filters_and_the_page_links_keep_both(client_for, big_roster):
    Audit.objects.filter(agency__code__in=["600", "601"]).update(status=AuditStatus.IN_PROGRESS)
    client = client_for("manager")
    assert _codes(client.get("/cycles/2023/?q=测试&status=in_progress")) == ["600", "601"]
    body = client.get("/cycles/2023/?q=测试&per_page=50").content.decode()
    assert "第 1–50 家，共 150 家代办处" in body
    # the page links keep the search and the size; the size links start again at page 1
    assert 'href="?q=%E6%B5%8B%E8%AF%95&amp;per_page=50&amp;page=2"' in body
    assert 'href="?q=%E6%B5%8B%E8%AF%95&amp;per_page=200"' in body
    # the sort links keep the search but not the page
    page3 = client.get("/cycles/2023/?q=测试&per_page=50&page=3").content.decode()
    assert 'href="?q=%E6%B5%8B%E8%AF%95&amp;per_page=50&amp;sort=code"' in page3
    # the filter form keeps the chosen size
    assert '<input type="hidden" name="per_page" value="50">' in page3


def test_a_search_too_long_is_ignored_not_an_error(client_for):
    response = client_for("manager").get("/cycles/2023/?q=" + "长" * 101)
    assert response.status_code == 200
    assert len(response.context["audits"]) == 50


def test_assign_to_every_agency_that_matches_on_every_page(client_for, big_roster, auditor):
    client = client_for("manager")
    body = client.get("/cycles/2023/?q=测试&per_page=50").content.decode()
    assert "全部 150 家符合条件的代办处（所有页）" in body
    hidden = re.search(r'name="filter" value="([^"]*)"', body).group(1)
    assert hidden == "q=%E6%B5%8B%E8%AF%95"  # the filter, without the page or its size
    response = client.post(
        "/cycles/2023/assign/",
        {"all_matching": "1", "filter": "q=测试", "auditors": [auditor.pk]},
        follow=True,
    )
    assert "已为 150 个代办处分配稽核员。" in response.content.decode()
    assigned = Audit.objects.filter(auditors=auditor)
    assert assigned.count() == 150
    assert not assigned.filter(agency__code__in=["004", "007"]).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ASSIGNED).count() == 150


def test_without_all_matching_only_the_ticked_agencies_are_assigned(
    client_for, big_roster, auditor
):
    ticked = Audit.objects.get(agency__code="650")
    client_for("manager").post(
        "/cycles/2023/assign/",
        {"audits": [ticked.pk], "filter": "q=测试", "auditors": [auditor.pk]},
    )
    assert list(Audit.objects.filter(auditors=auditor)) == [ticked]


def test_all_matching_with_a_filter_that_cannot_be_read_assigns_nothing(
    client_for, big_roster, auditor
):
    response = client_for("manager").post(
        "/cycles/2023/assign/",
        {"all_matching": "1", "filter": "status=nonsense", "auditors": [auditor.pk]},
        follow=True,
    )
    assert "无法读取筛选条件，未分配任何稽核员。" in response.content.decode()
    assert not Audit.objects.filter(auditors=auditor).exists()


def test_all_matching_stays_in_the_cycle_and_skips_finalized_audits(
    client_for, big_roster, auditor
):
    Audit.objects.filter(agency__code="600").update(status=AuditStatus.FINALIZED)
    response = client_for("manager").post(
        "/cycles/2023/assign/",
        {"all_matching": "1", "filter": "q=60", "auditors": [auditor.pk]},
        follow=True,
    )
    # 060 (the seed's), 600-609 and 660 match; 600 is finalized and keeps its auditors
    assert "已为 11 个代办处分配稽核员。" in response.content.decode()
    assert Audit.objects.filter(auditors=auditor, cycle__year=2023).count() == 11
    assert not Audit.objects.get(agency__code="600").auditors.exists()


def test_each_rows_links_are_the_ones_reverse_gives(client_for):
    """The rows' links are built from one reverse() per page (agency_url): they must be the
    URL patterns' own."""
    from django.urls import reverse

    from common.links import agency_url

    for name in ("audit_detail", "rectification", "scoring"):
        for code in ("004", "123456"):
            assert agency_url(name, 2023)(code) == reverse(name, args=[2023, code])
    body = client_for("manager").get("/cycles/2023/").content.decode()
    assert '<a href="/cycles/2023/agencies/004/">朝阳</a>' in body
    assert 'aria-label="选择 朝阳"' in body
