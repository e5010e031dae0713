"""上年问题: last cycle's open rectification items beside the standard they came from."""

import pytest

from checklist.models import Standard
from checklist.tests.helpers import audit_of
from rectification.models import ItemEvent, ItemStatus, RectificationItem
from rectification.tests.helpers import finalized, item_of

from .helpers import next_cycle

SCORING = "/cycles/2024/agencies/004/scoring/"


@pytest.fixture
def carried(manager, auditor):
    """004 finalized in 2023 with three findings; 2024 started, 大李 (auditor) assigned."""
    finalized("004", manager)
    next_cycle(manager, **{f"standard_{_standard('2-3').pk}": "修改后的2-3标准文本"})
    audit_of("004", 2024).auditors.add(auditor)
    return audit_of("004")


def _standard(code, year=2023):
    position, number = code.split("-")
    return Standard.objects.get(
        category__cycle__year=year, category__position=position, number=number
    )


def _close(client, item, note="现场查看了整改后的制度文件"):
    return client.post(
        f"/cycles/2024/agencies/004/rectification/carried/{item.pk}/close/",
        {"note": note, "version": item.version},
    )


def test_the_auditor_sees_last_years_open_problems_under_their_standards(client_for, carried):
    page = client_for("auditor").get(SCORING).content.decode()
    for code in ("1-2", "2-3", "3-5"):
        block = page.split(f'data-testid="carried-{code}"')[1].split("</aside>")[0]
        assert "上年问题（未销号）：" in block and "待整改" in block
        # the block stands right above the standard it came from
        position, number = code.split("-")
        before = f'<span class="standard-code">{position}-{int(number) - 1}</span>'
        assert page.index(before) < page.index(f'data-testid="carried-{code}"')
        assert page.index(f'data-testid="carried-{code}"') < page.index(
            f'<span class="standard-code">{code}</span>'
        )
    # 2-3's text changed this year: the problem still follows the standard
    assert "修改后的2-3标准文本" in page.split('data-testid="carried-2-3"')[1][:3000]


def test_closing_one_with_a_note_records_it_like_any_closing(client_for, carried, auditor):
    item = item_of(carried, "2-3")
    client = client_for("auditor")
    response = _close(client, item)
    assert response.status_code == 302
    assert response["Location"] == f"{SCORING}#carried-{item.pk}"
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.closed_by == auditor
    event = item.events.get(action=ItemEvent.Action.CLOSED)
    assert event.comment == "在 2024 年度稽核中核实：现场查看了整改后的制度文件"
    assert event.changes == {"status": ["pending", "closed"]}
    page = client.get(SCORING).content.decode()
    assert "上年问题 2-3 已销号" in page
    assert 'data-testid="carried-2-3"' not in page and 'data-testid="carried-1-2"' in page


def test_a_note_is_required_and_nothing_changes_without_it(client_for, carried):
    item = item_of(carried, "1-2")
    client = client_for("auditor")
    response = _close(client, item, note="   ")
    assert response.status_code == 302
    assert "请写明核实了什么" in client.get(response["Location"]).content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING and item.version == 1


@pytest.mark.parametrize(
    "persona,status", [("assigned", 403), ("staff004", 403), ("staff007", 404)]
)
def test_only_this_years_auditors_and_managers_close_them(client_for, carried, persona, status):
    item = item_of(carried, "1-2")
    assert _close(client_for(persona), item).status_code == status
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING


def test_a_manager_may_close_one_and_a_closed_one_is_refused(client_for, carried):
    item = item_of(carried, "1-2")
    client = client_for("manager")
    assert _close(client, item).status_code == 302
    item.refresh_from_db()
    response = _close(client, item)
    assert "该项已销号" in client.get(response["Location"]).content.decode()


def test_an_item_of_another_agency_or_cycle_is_not_found(client_for, carried, manager):
    item = item_of(carried, "1-2")
    other = client_for("auditor").post(
        f"/cycles/2024/agencies/007/rectification/carried/{item.pk}/close/",
        {"note": "x", "version": item.version},
    )
    assert other.status_code == 404
    same_cycle = client_for("manager").post(
        f"/cycles/2023/agencies/004/rectification/carried/{item.pk}/close/",
        {"note": "x", "version": item.version},
    )
    assert same_cycle.status_code == 404


def test_a_problem_whose_standard_is_gone_is_shown_apart(client_for, carried):
    _standard("3-5", 2024).delete()
    page = client_for("auditor").get(SCORING).content.decode()
    apart = page.split('data-testid="carried-elsewhere"')[1].split("</section>")[0]
    assert "2023 年度未销号、本年度清单中已无对应标准的问题" in apart
    assert 'data-testid="carried-3-5"' in apart


def test_closed_items_are_not_carried(client_for, carried):
    RectificationItem.objects.filter(audit=carried).update(status=ItemStatus.CLOSED)
    page = client_for("auditor").get(SCORING).content.decode()
    assert "上年问题" not in page


def test_the_agency_page_lists_them_for_office_and_agency(client_for, carried):
    for persona in ("auditor", "staff004"):
        page = client_for(persona).get("/cycles/2024/agencies/004/").content.decode()
        block = page.split('data-testid="carried"')[1].split("</section>")[0]
        assert "上年未销号的问题：3 项" in block
        assert "/cycles/2023/agencies/004/rectification/" in block
    assert (
        'data-testid="carried"'
        not in client_for("auditor").get("/cycles/2024/agencies/007/").content.decode()
    )


def test_the_auditors_workbench_names_the_agency(client_for, carried):
    page = client_for("auditor").get("/workbench/").content.decode()
    assert "上年问题待核实" in page
    assert "2024 朝阳（004）：上年 3 项未销号" in page
    assert f'href="{SCORING}"' in page


def test_the_new_report_lists_how_last_years_problems_stand(client_for, carried, auditor):
    from django.template.loader import render_to_string

    from reports.data import agency_report

    _close(client_for("auditor"), item_of(carried, "2-3"))
    rows = agency_report(audit_of("004", 2024))["previous_problems"]
    assert [row["code"] for row in rows] == ["1-2", "2-3", "3-5"]
    assert rows[0]["state"] == "待整改"
    assert rows[1]["state"].startswith("已销号（")
    html = render_to_string("reports/agency_report.html", agency_report(audit_of("004", 2024)))
    assert "四、上年问题整改情况" in html and "五、稽核前资料提交情况" in html
    assert "上年问题整改情况" not in render_to_string(
        "reports/agency_report.html", agency_report(carried)
    )


@pytest.mark.parametrize(
    ("status", "withdrawn", "carried_over"),
    [
        (ItemStatus.PENDING, False, True),
        (ItemStatus.SUBMITTED, False, True),
        (ItemStatus.RETURNED, False, True),
        (ItemStatus.CLOSED, False, False),
        (ItemStatus.CLOSED, True, False),  # a withdrawn item is closed (a constraint)
    ],
    ids=["pending", "submitted", "returned", "closed", "withdrawn"],
)
def test_every_status_but_closed_carries_into_next_year(
    client_for, carried, status, withdrawn, carried_over
):
    """One item of 2023 in each status: every status not closed is last year's problem, on
    the scoring page, the agency page and the auditor's 工作台 alike."""
    from checklist.carried import open_problems

    item = item_of(carried, "1-2")
    RectificationItem.objects.filter(audit=carried).exclude(pk=item.pk).update(
        status=ItemStatus.CLOSED
    )
    RectificationItem.objects.filter(pk=item.pk).update(status=status, withdrawn=withdrawn)
    expected = [item.pk] if carried_over else []
    assert [i.pk for i in open_problems(audit_of("004", 2024)).items] == expected
    office = client_for("auditor")
    scoring = office.get(SCORING).content.decode()
    assert ('data-testid="carried-1-2"' in scoring) is carried_over
    agency_page = office.get("/cycles/2024/agencies/004/")
    assert [row[0] for row in agency_page.context["carried"]] == expected
    workbench = office.get("/workbench/").content.decode()
    assert ("2024 朝阳（004）：上年 1 项未销号" in workbench) is carried_over


def test_the_open_problems_come_in_the_checklists_order_in_three_queries(carried):
    """Category, then number (1-1 before 1-2 though its row is newer; 1-2 before 2-1 though
    2-1's number is smaller), each with its standard, agency and cycle read in the same
    three queries (the previous audit, its items, their standards this year)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from checklist.carried import open_problems

    deadline = item_of(carried, "1-2").deadline
    RectificationItem.objects.bulk_create(
        RectificationItem(
            audit=carried,
            standard=_standard(code),
            result="largely",
            finding="f",
            requirement="r",
            deadline=deadline,
        )
        for code in ("2-1", "1-1")
    )
    audit = audit_of("004", 2024)
    with CaptureQueriesContext(connection) as captured:
        found = open_problems(audit)
        shown = [
            f"{item.audit.cycle.year} {item.audit.agency.code} {item.standard.code}"
            for item in found.items
        ]
    assert shown == [f"2023 004 {code}" for code in ("1-1", "1-2", "2-1", "2-3", "3-5")]
    assert len(captured) == 3, [query["sql"] for query in captured]
    assert found.previous == carried


def test_only_the_agencys_own_problems_are_carried(carried, manager):
    """Each agency's own: 怀柔's open problems are 怀柔's, not those of the cycle's first
    audit (朝阳's)."""
    from checklist.carried import open_problems

    finalized("007", manager)
    found = open_problems(audit_of("007", 2024))
    assert found.previous == audit_of("007") and found.count > 0
    assert {item.audit.agency.code for item in found.items} == {"007"}
    found = open_problems(audit_of("004", 2024))
    assert found.previous == carried and {item.audit_id for item in found.items} == {carried.pk}
