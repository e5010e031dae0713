"""The loop as the services run it: the agency answers, the office returns or closes (销号),
a manager reopens or moves deadlines; every step checked, versioned and recorded."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from .. import ledger, services
from ..models import ItemEvent, ItemStatus
from ..services import Answer
from .helpers import finalized, item_of

TODAY = timezone.localdate


@pytest.fixture
def audit(manager, assigned):
    audit = finalized("004", manager)
    audit.auditors.add(assigned)
    return audit


@pytest.fixture
def item(audit):
    return item_of(audit, "1-2")


def answer(item, by, *, submit=True, measures="建立季度汇报制度", responsible="王五", on=None):
    return services.answer_item(
        item=item,
        by=by,
        answer=Answer(measures, responsible, on or TODAY()),
        expected_version=item.version,
        submit=submit,
    )


def test_staff_save_a_draft_then_submit(item, staff004):
    draft = answer(item, staff004, submit=False, responsible="")
    assert (draft.status, draft.version, draft.responsible) == (ItemStatus.PENDING, 2, "")
    submitted = answer(draft, staff004, responsible="王五")
    assert submitted.status == ItemStatus.SUBMITTED and submitted.submitted_at
    saved, sent = submitted.events.exclude(action=ItemEvent.Action.CREATED)
    assert (saved.action, sent.action) == (ItemEvent.Action.SAVED, ItemEvent.Action.SUBMITTED)
    assert sent.changes == {"responsible": ["", "王五"], "status": ["pending", "submitted"]}


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"measures": "  "}, "整改措施"),
        ({"responsible": ""}, "责任人"),
        ({"on": None}, "完成时间"),
    ],
)
def test_submitting_needs_every_part_of_the_answer(item, staff004, fields, words):
    fields = dict(fields)  # the parameter is shared by every run of the test: not popped from
    on = fields.pop("on", TODAY())
    with pytest.raises(services.RectificationError) as refused:
        services.answer_item(
            item=item,
            by=staff004,
            answer=Answer(fields.get("measures", "措施"), fields.get("responsible", "王五"), on),
            expected_version=1,
            submit=True,
        )
    message = str(refused.value)
    assert [term for term in ("整改措施", "责任人", "完成时间") if term in message] == [words]
    item.refresh_from_db()
    assert (item.status, item.version) == (ItemStatus.PENDING, 1)


def test_a_completion_date_in_the_future_is_refused(item, staff004):
    with pytest.raises(services.RectificationError):
        answer(item, staff004, on=TODAY() + timedelta(days=1))
    answer(item, staff004, on=TODAY())  # today is fine


@pytest.mark.parametrize(("measures", "responsible"), [("x" * 5001, "王五"), ("措施", "王" * 51)])
def test_overlong_answers_are_refused(item, staff004, measures, responsible):
    with pytest.raises(services.RectificationError) as refused:
        answer(item, staff004, measures=measures, responsible=responsible)
    assert str(refused.value) == (
        "整改措施超过 5000 个字，请精简。" if len(measures) > 5000 else "责任人最多 50 个字。"
    )
    answer(item, staff004, measures="x" * 5000, responsible="王" * 50)


def test_only_the_agencys_own_staff_answer(item, staff007, manager, auditor):
    for person in (staff007, manager, auditor):
        with pytest.raises(services.NotAllowed):
            answer(item, person)


def test_a_stale_page_is_refused_and_names_who_changed_it(item, staff004):
    answer(item, staff004, submit=False)
    with pytest.raises(services.StalePage) as stale:
        services.answer_item(
            item=item, by=staff004, answer=Answer("旧页面"), expected_version=1, submit=False
        )
    assert stale.value.current.version == 2
    assert staff004.display_name in str(stale.value)


def test_the_office_returns_with_a_reason_and_the_agency_answers_again(item, staff004, manager):
    submitted = answer(item, staff004)
    with pytest.raises(services.RectificationError):
        services.return_item(item=submitted, by=manager, reason=" ", expected_version=3)
    returned = services.return_item(
        item=submitted, by=manager, reason="缺少会议记录扫描件", expected_version=submitted.version
    )
    assert (returned.status, returned.return_reason) == (ItemStatus.RETURNED, "缺少会议记录扫描件")
    again = answer(returned, staff004, measures="补充了扫描件")
    assert again.status == ItemStatus.SUBMITTED


def test_only_a_submitted_answer_is_returned_or_closed(audit, item, manager):
    with pytest.raises(services.RectificationError):
        services.return_item(item=item, by=manager, reason="x", expected_version=1)
    with pytest.raises(services.RectificationError):
        services.close_items(audit=audit, items=[item.pk], by=manager)
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING


def test_several_submitted_items_close_at_once(audit, staff004, assigned):
    first, second = item_of(audit, "1-2"), item_of(audit, "2-3")
    answer(first, staff004)
    answer(second, staff004)
    closed = services.close_items(audit=audit, items=[first.pk, second.pk], by=assigned)
    assert [(i.status, i.closed_by) for i in closed] == [(ItemStatus.CLOSED, assigned)] * 2


def test_closing_is_all_or_nothing(audit, staff004, manager):
    first, pending = item_of(audit, "1-2"), item_of(audit, "2-3")
    answer(first, staff004)
    with pytest.raises(services.RectificationError):
        services.close_items(audit=audit, items=[first.pk, pending.pk], by=manager)
    first.refresh_from_db()
    assert first.status == ItemStatus.SUBMITTED


def test_items_of_another_agency_are_not_closed_from_this_one(audit, staff004, manager):
    other = finalized("007", manager)
    item = item_of(other, "1-2")
    with pytest.raises(services.RectificationError):
        services.close_items(audit=audit, items=[item.pk], by=manager)


def test_only_the_assigned_auditors_and_managers_verify(audit, item, staff004, auditor, staff007):
    submitted = answer(item, staff004)
    for person in (auditor, staff004, staff007):
        with pytest.raises(services.NotAllowed):
            services.close_items(audit=audit, items=[submitted.pk], by=person)
        with pytest.raises(services.NotAllowed):
            services.return_item(item=submitted, by=person, reason="x", expected_version=3)


def test_a_closed_item_is_read_only_until_a_manager_reopens_it(
    audit, item, staff004, manager, assigned
):
    answer(item, staff004)
    (closed,) = services.close_items(audit=audit, items=[item.pk], by=assigned)
    with pytest.raises(services.RectificationError):
        answer(closed, staff004)
    with pytest.raises(services.NotAllowed):
        services.reopen_item(item=closed, by=assigned, reason="x", expected_version=closed.version)
    with pytest.raises(services.RectificationError):
        services.reopen_item(item=closed, by=manager, reason="", expected_version=closed.version)
    reopened = services.reopen_item(
        item=closed, by=manager, reason="抽查发现未落实", expected_version=closed.version
    )
    assert (reopened.status, reopened.closed_at, reopened.return_reason) == (
        ItemStatus.RETURNED,
        None,
        "抽查发现未落实",
    )
    assert reopened.events.last().action == ItemEvent.Action.REOPENED


def test_an_open_item_cannot_be_reopened(item, manager):
    with pytest.raises(services.RectificationError):
        services.reopen_item(item=item, by=manager, reason="x", expected_version=1)


def test_a_manager_moves_deadlines_with_a_reason(audit, manager):
    first, second = item_of(audit, "1-2"), item_of(audit, "2-3")
    new = TODAY() + timedelta(days=60)
    changed = services.change_deadlines(
        audit=audit, items=[first.pk, second.pk], by=manager, deadline=new, reason="疫情延期"
    )
    assert {i.deadline for i in changed} == {new}
    event = first.events.last()
    assert (event.action, event.comment) == (ItemEvent.Action.DEADLINE, "疫情延期")
    assert list(event.changes.values()) == [[str(first.deadline), new.isoformat()]]


@pytest.mark.parametrize(
    ("deadline", "reason"),
    [(None, "r"), (date(2020, 1, 1), "r"), (TODAY() + timedelta(days=9), " ")],
)
def test_a_deadline_change_needs_a_future_date_and_a_reason(audit, item, manager, deadline, reason):
    with pytest.raises(services.RectificationError):
        services.change_deadlines(
            audit=audit, items=[item.pk], by=manager, deadline=deadline, reason=reason
        )
    assert item.events.count() == 1


def test_only_managers_move_deadlines_and_closed_items_keep_theirs(
    audit, item, staff004, manager, assigned
):
    with pytest.raises(services.NotAllowed):
        services.change_deadlines(
            audit=audit, items=[item.pk], by=assigned, deadline=TODAY(), reason="r"
        )
    answer(item, staff004)
    services.close_items(audit=audit, items=[item.pk], by=manager)
    with pytest.raises(services.RectificationError):
        services.change_deadlines(
            audit=audit, items=[item.pk], by=manager, deadline=TODAY(), reason="r"
        )


def test_overdue_follows_from_the_deadline_while_the_agency_owes_an_answer(audit, item, staff004):
    late = item.deadline + timedelta(days=1)
    assert not item.is_overdue(item.deadline) and item.is_overdue(late)
    assert ledger.progress(audit, late).overdue == 3
    submitted = answer(item, staff004)
    assert not submitted.is_overdue(late)
    assert ledger.progress(audit, late) == ledger.Progress(total=3, closed=0, overdue=2)


def test_progress_counts_closed_items_and_leaves_withdrawn_ones_out(audit, item, staff004, manager):
    answer(item, staff004)
    services.close_items(audit=audit, items=[item.pk], by=manager)
    progress = ledger.progress(audit)
    assert (progress.total, progress.closed, progress.rate) == (3, 1, 33)
    assert ledger.Progress(0, 0, 0).rate is None


def ask(item, by, *, days=30, reason="代办处搬迁"):
    return services.ask_for_more_time(
        item=item, by=by, proposed=item.deadline + timedelta(days=days), reason=reason
    )


def test_staff_ask_for_more_time_and_a_manager_grants_it(item, staff004, manager):
    asked = ask(item, staff004)
    assert asked.status == "pending"
    assert item.events.last().action == ItemEvent.Action.EXTENSION_ASKED
    services.decide_on_more_time(item=item, by=manager, grant=True, answer="")
    item.refresh_from_db()
    asked.refresh_from_db()
    assert item.deadline == asked.proposed_deadline and item.version == 2
    assert (asked.status, asked.decided_by) == ("granted", manager)
    assert item.events.last().action == ItemEvent.Action.EXTENSION_GRANTED


def test_a_refusal_needs_a_reason_and_keeps_the_deadline(item, staff004, manager):
    ask(item, staff004)
    with pytest.raises(services.RectificationError):
        services.decide_on_more_time(item=item, by=manager, grant=False, answer=" ")
    asked = services.decide_on_more_time(item=item, by=manager, grant=False, answer="期限已较宽裕")
    before = item.deadline
    item.refresh_from_db()
    assert (asked.status, asked.answer, item.deadline) == ("refused", "期限已较宽裕", before)
    ask(item, staff004, days=10)  # may ask again once decided


@pytest.mark.parametrize(("days", "reason"), [(0, "r"), (-5, "r"), (30, "  ")])
def test_more_time_means_a_later_date_and_a_reason(item, staff004, days, reason):
    with pytest.raises(services.RectificationError):
        ask(item, staff004, days=days, reason=reason)
    assert not item.extension_requests.exists()


def test_one_request_at_a_time_and_only_while_the_agency_owes_an_answer(item, staff004):
    ask(item, staff004)
    with pytest.raises(services.RectificationError):
        ask(item, staff004, days=40)
    other = item_of(item.audit, "2-3")
    answer(other, staff004)
    with pytest.raises(services.RectificationError):
        ask(other, staff004)
    with pytest.raises(services.RectificationError):
        services.ask_for_more_time(
            item=item_of(item.audit, "3-5"), by=staff004, proposed=None, reason="r"
        )


def test_only_staff_ask_and_only_managers_decide(item, staff004, staff007, assigned, manager):
    for person in (staff007, assigned, manager):
        with pytest.raises(services.NotAllowed):
            ask(item, person)
    ask(item, staff004)
    for person in (staff004, assigned):
        with pytest.raises(services.NotAllowed):
            services.decide_on_more_time(item=item, by=person, grant=True, answer="")
    item_without = item_of(item.audit, "2-3")
    with pytest.raises(services.RectificationError):
        services.decide_on_more_time(item=item_without, by=manager, grant=True, answer="")


def test_a_stale_page_names_the_latest_change_by_its_time(item, staff004, manager):
    """The message names whoever changed the item last, by the time of the change (not by
    the order rows were written), and at that time."""
    from datetime import datetime

    answer(item, staff004, submit=False)  # 朝阳经办人's change, after the office's creation
    created, saved = item.events.order_by("id")
    ItemEvent.objects.filter(pk=created.pk).update(actor=manager)
    at = timezone.make_aware(datetime(2024, 3, 1, 9, 5))
    ItemEvent.objects.filter(pk=saved.pk).update(at=at)
    ItemEvent.objects.filter(pk=created.pk).update(at=at + timedelta(minutes=10))

    def who():
        with pytest.raises(services.StalePage) as stale:
            services.answer_item(
                item=item, by=staff004, answer=Answer("旧页面"), expected_version=1, submit=False
            )
        return str(stale.value).split("（")[1].split("）")[0]

    assert who() == f"{manager.display_name} 09:15"
    # at the same minute and second, the one written last
    ItemEvent.objects.filter(pk=created.pk).update(at=at)
    assert who() == f"{staff004.display_name} 09:05"


def test_an_auditor_not_assigned_is_told_who_verifies(item, staff004, auditor):
    submitted = answer(item, staff004)
    with pytest.raises(services.NotAllowed) as refused:
        services.return_item(
            item=submitted, by=auditor, reason="缺材料", expected_version=submitted.version
        )
    assert str(refused.value) == "只有主任或分派到该代办处的稽核员可以核验整改项。"


def test_the_agency_is_told_of_a_return_and_a_closing_under_its_audit(item, staff004, manager):
    """Each notice belongs to the item's audit (the inbox groups and filters by it)."""
    from notifications.models import Kind, Notification

    submitted = answer(item, staff004)
    returned = services.return_item(
        item=submitted, by=manager, reason="缺少会议记录", expected_version=submitted.version
    )
    answer(returned, staff004)
    services.close_items(audit=item.audit, items=[item.pk], by=manager)
    told = Notification.objects.filter(
        kind__in=[Kind.RECTIFICATION_RETURNED, Kind.RECTIFICATION_CLOSED]
    )
    assert sorted(told.values_list("kind", "audit")) == [
        (Kind.RECTIFICATION_CLOSED, item.audit_id),
        (Kind.RECTIFICATION_RETURNED, item.audit_id),
    ]


def test_submitting_names_every_field_missing_and_keeps_the_completion_date(item, staff004):
    with pytest.raises(services.RectificationError) as refused:
        services.answer_item(
            item=item,
            by=staff004,
            answer=Answer("建立季度汇报制度", " ", None),
            expected_version=item.version,
            submit=True,
        )
    assert str(refused.value) == "请先填写责任人、完成时间，再提交。"
    fixed_on = TODAY() - timedelta(days=3)
    saved = answer(item, staff004, on=fixed_on)
    saved.refresh_from_db()
    assert saved.completed_on == fixed_on


def test_an_archived_audits_items_say_why_they_cannot_change(item, staff004):
    from agencies.models import Audit

    Audit.objects.filter(pk=item.audit_id).update(archived_at=timezone.now())
    with pytest.raises(services.RectificationError) as refused:
        answer(item, staff004)
    assert str(refused.value) == "该稽核已归档，整改记录不能再修改。"


def test_a_step_without_a_comment_records_none(item, staff004):
    answer(item, staff004, submit=False)
    assert item.events.order_by("id").last().comment == ""
