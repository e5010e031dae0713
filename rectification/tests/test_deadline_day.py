"""The day a deadline falls on is still in time; an item is overdue from the day after.
Every place that says "overdue" agrees: the model, the ledger (filter, rows, progress), the
agency page and overview, and each person's 工作台 with the top bar's count."""

from datetime import timedelta

import pytest
from django.utils import timezone

from workbench import selectors

from .. import ledger, services
from ..models import RectificationItem
from .helpers import finalized, item_of

TODAY = timezone.localdate()


@pytest.fixture(params=[0, 1], ids=["on-the-day", "the-day-after"])
def days_past(request):
    return request.param


@pytest.fixture
def item(manager, auditor, staff004, days_past):
    """朝阳's 1-2 due ``days_past`` days ago, its other items far ahead and 2-3 answered (so
    that 朝阳 is on the manager's 工作台 either way); ``auditor`` is one of 朝阳's auditors."""
    audit = finalized("004", manager)
    audit.auditors.add(auditor)
    RectificationItem.objects.filter(audit=audit).update(deadline=TODAY + timedelta(days=60))
    services.answer_item(
        item=item_of(audit, "2-3"),
        by=staff004,
        answer=services.Answer("已整改", "刘明", TODAY),
        expected_version=1,
        submit=True,
    )
    item = item_of(audit, "1-2")
    RectificationItem.objects.filter(pk=item.pk).update(deadline=TODAY - timedelta(days=days_past))
    item.refresh_from_db()
    return item


def test_the_model(item, days_past):
    late = days_past > 0
    assert item.is_overdue(TODAY) is late
    assert (item in RectificationItem.objects.overdue(TODAY)) is late


def test_the_ledger(item, days_past):
    late = days_past > 0
    cycle = item.audit.cycle
    shown = ledger.LedgerFilter({"status": ledger.OVERDUE}, cycle=cycle).apply(
        ledger.ledger_items(cycle), TODAY
    )
    assert [i.pk for i in shown] == ([item.pk] if late else [])
    rows = {
        row.item.pk: row.overdue for row in ledger.ledger_rows(ledger.ledger_items(cycle), TODAY)
    }
    assert rows[item.pk] is late and sum(rows.values()) == int(late)
    (progress,) = ledger.agency_progress(cycle, TODAY)
    assert progress.overdue == int(late)
    assert ledger.progress(item.audit, TODAY).overdue == int(late)


def test_the_agency_page_and_the_overview(item, days_past, client_for):
    late = days_past > 0
    office = client_for("manager")
    page = office.get("/cycles/2023/agencies/004/")
    assert page.context["rectification"]["overdue"] == int(late)
    overview = office.get("/cycles/2023/")
    (row,) = [audit for audit in overview.context["audits"] if audit.agency.code == "004"]
    assert row.rectification["overdue"] == int(late)


def test_each_persons_workbench(item, days_past, auditor, manager, staff004):
    late = days_past > 0
    by_key = {s.key: s for s in selectors.sections_for(auditor, TODAY)}
    assert len(by_key["overdue"].lines) == int(late)
    managers = {s.key: s for s in selectors.sections_for(manager, TODAY)}
    assert len(managers["overdue"].lines) == int(late)
    assert selectors.count_for(manager, TODAY) == sum(len(s.lines) for s in managers.values())
    (line,) = [
        line
        for line in {s.key: s for s in selectors.sections_for(staff004, TODAY)}["rectify"].lines
        if line.url.endswith(f"/{item.pk}/")
    ]
    assert line.late is late


def test_overdue_on_a_day_given_is_judged_on_that_day_not_today(item, days_past):
    """The ledger and the reminders ask about a given day: a month later everything that
    is not answered is late, a month earlier nothing is."""
    later, earlier = TODAY + timedelta(days=90), TODAY - timedelta(days=90)
    assert item in RectificationItem.objects.overdue(later)
    assert item not in RectificationItem.objects.overdue(earlier)
    assert (
        RectificationItem.objects.overdue(later).count()
        > RectificationItem.objects.overdue(TODAY).count()
    )
