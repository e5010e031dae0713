"""Rectification reminders: the daily command reminds before a deadline and after it has
passed, once per deadline (a failed one again the next day); a manager reminds by hand."""

from datetime import timedelta

import pytest
from django.core import mail as outbox
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from evidence.tests.test_reminder_mail import Accepting, free_port, use_server

from .. import reminders, services
from ..models import ItemReminder, RectificationItem
from .helpers import finalized, item_of

TODAY = timezone.localdate()


@pytest.fixture
def audit(manager, staff004, cycle):
    User.objects.filter(pk=staff004.pk).update(email="chaoyang@example.org")
    cycle.rectification_remind_days = 7
    cycle.save()
    audit = finalized("004", manager)  # three items, due in 30 days
    return audit


def due_in(audit, code, days):
    item = item_of(audit, code)
    RectificationItem.objects.filter(pk=item.pk).update(deadline=TODAY + timedelta(days=days))


def test_nothing_is_sent_while_deadlines_are_far(audit, cycle):
    assert reminders.remind(cycle=cycle).sent == []
    assert outbox.outbox == [] and not ItemReminder.objects.exists()


def test_one_message_per_agency_lists_the_items_near_or_past_their_deadline(audit, cycle):
    due_in(audit, "1-2", 7)
    due_in(audit, "2-3", -3)
    result = reminders.remind(cycle=cycle)
    assert [a.agency.code for a in result.sent] == ["004"]
    (message,) = outbox.outbox
    assert message.to == ["chaoyang@example.org"] and "请按期完成整改" in message.subject
    assert "1-2 1-2 的问题（整改期限" in message.body
    assert (
        f"2-3 2-3 的问题（整改期限 {(TODAY - timedelta(days=3)).isoformat()}，已逾期 3 天）"
        in message.body
    )
    assert "3-5" not in message.body
    assert "/cycles/2023/agencies/004/rectification/" in message.body
    kinds = dict(ItemReminder.objects.values_list("item__standard__number", "kind"))
    assert kinds == {2: "before", 3: "overdue"}


def test_running_it_again_the_same_day_sends_nothing_twice(audit, cycle):
    due_in(audit, "1-2", 3)
    reminders.remind(cycle=cycle)
    reminders.remind(cycle=cycle)
    assert len(outbox.outbox) == 1 and ItemReminder.objects.count() == 1


def test_a_passed_deadline_is_reminded_once_more_and_a_new_deadline_again(audit, cycle):
    due_in(audit, "1-2", 3)
    reminders.remind(cycle=cycle)
    reminders.remind(cycle=cycle, today=TODAY + timedelta(days=4))  # the day after it passed
    reminders.remind(cycle=cycle, today=TODAY + timedelta(days=5))
    assert [r.kind for r in ItemReminder.objects.order_by("id")] == ["before", "overdue"]
    due_in(audit, "1-2", 20)  # a manager moved the deadline
    reminders.remind(cycle=cycle, today=TODAY + timedelta(days=14))
    assert [r.kind for r in ItemReminder.objects.order_by("id")] == ["before", "overdue", "before"]


def test_answered_and_closed_items_are_not_reminded(audit, cycle, staff004):
    due_in(audit, "1-2", -1)
    item = item_of(audit, "1-2")
    services.answer_item(
        item=item,
        by=staff004,
        answer=services.Answer("m", "r", TODAY),
        expected_version=item.version,
        submit=True,
    )
    assert reminders.remind(cycle=cycle).sent == []


def test_zero_days_means_no_reminder_before_the_deadline(audit, cycle):
    cycle.rectification_remind_days = 0
    cycle.save()
    due_in(audit, "1-2", 1)
    assert reminders.remind(cycle=cycle).sent == []


def test_an_agency_without_addresses_is_skipped(audit, cycle, staff004):
    User.objects.filter(pk=staff004.pk).update(email="")
    due_in(audit, "1-2", -1)
    assert reminders.remind(cycle=cycle).sent == [] and not ItemReminder.objects.exists()


def test_a_failed_reminder_is_recorded_with_its_reason_and_retried_next_day(audit, cycle, settings):
    due_in(audit, "1-2", -1)
    use_server(settings, free_port())  # nothing listens
    result = reminders.remind(cycle=cycle)
    assert result.sent == [] and "拒绝连接" in result.failed[0][1]
    assert "拒绝连接" in ItemReminder.objects.get().error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert [a.agency.code for a in reminders.remind(cycle=cycle).sent] == ["004"]
    assert ItemReminder.objects.filter(error="").count() == 1


def test_a_refused_recipient_fails_its_agency_only(audit, cycle, manager, settings, staff007):
    from aiosmtpd.controller import Controller

    User.objects.filter(pk=staff007.pk).update(email="huairou@example.org")
    huairou = finalized("007", manager, shortfalls=("1-1",))
    due_in(audit, "1-2", -1)
    due_in(huairou, "1-1", -1)
    handler = Accepting(refuse={"chaoyang@example.org"})
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        use_server(settings, controller.port)
        result = reminders.remind(cycle=cycle)
    finally:
        controller.stop()
    assert [a.agency.code for a in result.sent] == ["007"]
    assert [(a.agency.code, "550" in reason) for a, reason in result.failed] == [("004", True)]
    assert len(handler.received) == 1


def test_the_daily_command_says_what_it_did(audit, capsys):
    due_in(audit, "1-2", 2)
    call_command("remind_rectification")
    assert "2023年度稽核：已向 1 个代办处发送整改提醒。" in capsys.readouterr().out
    call_command("remind_rectification")
    assert capsys.readouterr().out == ""


def test_a_manager_reminds_every_agency_that_owes_an_answer(client_for, audit):
    page = client_for("manager").post("/cycles/2023/rectification/remind/", follow=True)
    assert "已向 1 个代办处发送整改提醒邮件。" in page.content.decode()
    (message,) = outbox.outbox
    assert all(code in message.body for code in ("1-2", "2-3", "3-5"))
    assert set(ItemReminder.objects.values_list("kind", flat=True)) == {"manual"}
    item = item_of(audit, "1-2")
    shown = client_for("staff004").get(f"/cycles/2023/agencies/004/rectification/{item.pk}/")
    reminded = shown.content.decode().split('data-testid="item-reminders"')[1]
    assert "由主任发送 · chaoyang@example.org" in reminded


def test_with_nothing_to_remind_the_manager_is_told(client_for, manager):
    page = client_for("manager").post("/cycles/2023/rectification/remind/", follow=True)
    assert "未发送提醒" in page.content.decode()
