"""How an item's record reads: each step's changes in the reader's words, and the items of an
audit in the checklist's order."""

from django.utils import translation

from rectification.models import ItemEvent, RectificationItem

from .helpers import finalized


def test_a_steps_changes_are_shown_with_labels_and_blanks_in_the_readers_words():
    event = ItemEvent(
        changes={
            "version": [1, 2],  # bookkeeping: not shown, and the fields after it still are
            "measures": [None, "更换门锁"],
            "status": ["pending", "submitted"],
            "responsible": ["刘明", ""],
            "deadline": ["2024-06-30", "2024-07-31"],
        }
    )
    with translation.override("zh-hans"):
        assert event.changes_shown() == [
            ("整改措施", "", "更换门锁"),
            ("状态", "待整改", "已提交"),
            ("责任人", "刘明", ""),
            ("整改期限", "2024-06-30", "2024-07-31"),
        ]


def test_a_status_no_longer_known_is_shown_as_recorded():
    """A value from an older version of the portal (no label today) is shown as recorded,
    not as a blank."""
    event = ItemEvent(changes={"status": ["draft", "archived"]})
    with translation.override("zh-hans"):
        assert event.changes_shown() == [("状态", "draft", "archived")]


def test_an_audits_items_come_in_the_checklists_order(manager):
    """Category first (1-8 before 2-1), then the standard's number (2-3 before 2-10, and
    1-2 first even when its row is the newest)."""
    from checklist.models import Standard

    audit = finalized("004", manager)  # items at 1-2, 2-3 and 3-5
    first_deadline = RectificationItem.objects.filter(audit=audit).first().deadline
    standards = Standard.objects.filter(category__cycle=audit.cycle)
    RectificationItem.objects.bulk_create(
        RectificationItem(
            audit=audit,
            standard=standards.get(category__position=position, number=number),
            result="largely",
            finding="f",
            requirement="r",
            deadline=first_deadline,
        )
        for position, number in ((2, 10), (2, 1), (1, 8))
    )
    first = RectificationItem.objects.get(
        audit=audit, standard__number=2, standard__category__position=1
    )
    first.delete()
    first.pk = None
    first.save()
    items = RectificationItem.objects.filter(audit=audit).in_order()
    assert [item.standard.code for item in items] == ["1-2", "1-8", "2-1", "2-3", "2-10", "3-5"]
