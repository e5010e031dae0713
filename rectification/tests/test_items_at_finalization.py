"""Finalizing creates one item per finding, in the same transaction; a reissued report
reconciles them: new findings add items, removed ones are withdrawn, nothing is deleted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from checklist.services import reopen_audit, submit_audit
from checklist.tests.helpers import save
from reports import services as reports
from reports.models import IssuedReport

from ..models import ItemEvent, ItemStatus, RectificationItem
from .helpers import finalized, item_of


def test_each_finding_becomes_an_item_copied_as_issued(manager):
    audit = finalized("004", manager)
    items = RectificationItem.objects.filter(audit=audit).in_order()
    assert [item.standard.code for item in items] == ["1-2", "2-3", "3-5"]
    first = items[0]
    assert (first.result, first.finding, first.requirement) == (
        "non_compliant",
        "1-2 的问题",
        "限期整改",
    )
    assert first.status == ItemStatus.PENDING and first.version == 1
    assert first.events.get().action == ItemEvent.Action.CREATED


def test_the_deadline_is_the_cycles_period_after_finalization(manager, cycle):
    cycle.rectification_days = 45
    cycle.save()
    audit = finalized("004", manager)
    expected = timezone.localdate(audit.finalized_at) + timedelta(days=45)
    assert set(RectificationItem.objects.values_list("deadline", flat=True)) == {expected}


def test_an_audit_without_findings_has_no_items(manager):
    finalized("004", manager, shortfalls=())
    assert not RectificationItem.objects.exists()


def test_a_failed_finalization_creates_no_item(manager, monkeypatch):
    from reports import pdf

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pdf, "agency_report_pdf", broken)
    with pytest.raises(OSError):
        finalized("004", manager)
    assert not RectificationItem.objects.exists()
    assert not IssuedReport.objects.exists()


def reissue(audit, manager, **changes):
    """Reopen, change the given standards' scores, submit and finalize again."""
    reopen_audit(audit=audit, by=manager, reason="复核")
    for code, fields in changes.items():
        save(audit, code, manager, **fields)
    submit_audit(audit=audit, by=manager)
    reports.finalize_and_issue(audit=audit, by=manager)


def test_reopening_changes_no_item(manager):
    audit = finalized("004", manager)
    before = list(RectificationItem.objects.values())
    reopen_audit(audit=audit, by=manager, reason="复核")
    save(audit, "1-2", manager, finding="改写后的问题")
    assert list(RectificationItem.objects.values()) == before


def test_a_reissued_report_adds_new_findings_and_withdraws_removed_ones(manager):
    audit = finalized("004", manager)
    kept = item_of(audit, "2-3")
    reissue(
        audit,
        manager,
        **{
            "1-2": {"result": "compliant", "points": None, "finding": "", "rectification": ""},
            "2-3": {
                "result": "non_compliant",
                "points": "4",
                "finding": "改写后的问题",
                "rectification": "限期整改",
            },
            "1-1": {
                "result": "largely",
                "points": "7",
                "finding": "新问题",
                "rectification": "补充",
            },
        },
    )
    withdrawn = RectificationItem.objects.get(
        audit=audit, standard__number=2, standard__category__position=1
    )
    assert withdrawn.withdrawn and withdrawn.status == ItemStatus.CLOSED
    assert withdrawn.events.last().action == ItemEvent.Action.WITHDRAWN
    assert item_of(audit, "1-1").finding == "新问题"
    kept.refresh_from_db()
    assert kept.finding == "2-3 的问题" and kept.version == 1  # as issued, untouched
    assert RectificationItem.objects.filter(audit=audit).count() == 4  # nothing deleted


def test_a_finding_that_returns_gets_a_new_item(manager):
    audit = finalized("004", manager)
    reissue(
        audit,
        manager,
        **{"1-2": {"result": "compliant", "points": None, "finding": "", "rectification": ""}},
    )
    reissue(
        audit,
        manager,
        **{
            "1-2": {
                "result": "non_compliant",
                "points": "3",
                "finding": "又出现",
                "rectification": "整改",
            }
        },
    )
    items = RectificationItem.objects.filter(
        audit=audit, standard__category__position=1, standard__number=2
    )
    assert sorted((i.withdrawn, i.finding) for i in items) == [
        (False, "又出现"),
        (True, "1-2 的问题"),
    ]


def test_an_answered_item_keeps_its_answer_through_a_reissue(manager, staff004):
    from ..services import Answer, answer_item

    audit = finalized("004", manager)
    item = item_of(audit, "3-5")
    answer_item(
        item=item,
        by=staff004,
        answer=Answer("已补齐", "李四", timezone.localdate()),
        expected_version=1,
        submit=True,
    )
    reissue(audit, manager)
    item.refresh_from_db()
    assert (item.status, item.measures) == (ItemStatus.SUBMITTED, "已补齐")
