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


def test_a_disabled_account_is_not_mailed(audit, cycle, staff004):
    """A person who has left (account disabled) gets no reminder, though the address stays."""
    User.objects.filter(pk=staff004.pk).update(is_active=False)
    due_in(audit, "1-2", -1)
    assert reminders.remind(cycle=cycle).sent == [] and outbox.outbox == []


def test_an_item_due_today_is_reminded_as_due_not_overdue(audit, cycle):
    due_in(audit, "1-2", 0)
    reminders.remind(cycle=cycle)
    assert list(ItemReminder.objects.values_list("kind", flat=True)) == ["before"]
    assert "已逾期" not in outbox.outbox[0].body


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
    assert {r.sent_by.username for r in ItemReminder.objects.select_related("sent_by")} == {"mona"}
    item = item_of(audit, "1-2")
    shown = client_for("staff004").get(f"/cycles/2023/agencies/004/rectification/{item.pk}/")
    reminded = shown.content.decode().split('data-testid="item-reminders"')[1]
    assert "由主任发送 · chaoyang@example.org" in reminded


def test_with_nothing_to_remind_the_manager_is_told(client_for, manager):
    page = client_for("manager").post("/cycles/2023/rectification/remind/", follow=True)
    assert "未发送提醒" in page.content.decode()


def test_the_message_reads_whole_with_each_item_and_the_link(audit, cycle, settings):
    """What the agency reads, line by line: items in the checklist's order, a finding cut at
    60 characters, the days overdue only once the deadline has passed, and the portal's
    address without a doubled slash."""
    settings.PORTAL_BASE_URL = "https://jihe.example.org/"
    RectificationItem.objects.filter(pk=item_of(audit, "2-3").pk).update(
        finding="一二三四五六七八九十" * 7
    )
    due_in(audit, "3-5", 0)
    due_in(audit, "2-3", -1)
    due_in(audit, "1-2", 5)
    first = item_of(audit, "1-2")
    # added last, 1-8 comes before 2-3 (its category first) and 1-1 first of all (its number)
    for number in (8, 1):
        RectificationItem.objects.create(
            audit=audit,
            standard=first.standard.category.standards.get(number=number),
            result=first.result,
            finding="记录缺页",
            requirement="补齐",
            deadline=TODAY + timedelta(days=6),
        )
    reminders.remind(cycle=cycle)
    (message,) = outbox.outbox
    assert message.body == (
        "朝阳：\n\n"
        "在2023年度稽核中发现的以下问题尚未整改完毕，请按期填报整改措施并上传佐证材料：\n"
        f"  1-1 记录缺页（整改期限 {(TODAY + timedelta(days=6)).isoformat()}）\n"
        f"  1-2 1-2 的问题（整改期限 {(TODAY + timedelta(days=5)).isoformat()}）\n"
        f"  1-8 记录缺页（整改期限 {(TODAY + timedelta(days=6)).isoformat()}）\n"
        f"  2-3 {'一二三四五六七八九十' * 6}（整改期限 {(TODAY - timedelta(days=1)).isoformat()}，已逾期 1 天）\n"
        f"  3-5 3-5 的问题（整改期限 {TODAY.isoformat()}）\n\n"
        "请登录稽核管理平台填报：\n"
        "https://jihe.example.org/cycles/2023/agencies/004/rectification/\n\n"
        "中国职工保险互助会北京办事处"
    )


def test_the_agency_is_told_in_the_portal_once_not_mailed_twice(audit, cycle, staff004):
    """The daily round tells the agency's staff in the portal (the reminder e-mail is its
    mail, so the notice queues none); past deadlines are named apart from near ones."""
    from notifications.models import Kind, Message, Notification

    due_in(audit, "1-2", 3)
    due_in(audit, "2-3", 5)
    reminders.remind(cycle=cycle)
    (near,) = Notification.objects.filter(kind=Kind.DEADLINE_NEAR)
    first = (TODAY + timedelta(days=3)).isoformat()
    assert near.text == f"2023 年度：2 项整改将于 {first} 前到期（1-2、2-3）。"
    assert near.link == "/cycles/2023/agencies/004/rectification/"
    assert near.audit == audit
    assert list(near.deliveries.values_list("recipient", flat=True)) == [staff004.pk]
    assert not Message.objects.filter(notification=near, channel="email").exists()
    due_in(audit, "2-3", -2)
    due_in(audit, "3-5", -1)
    reminders.remind(cycle=cycle)
    late = Notification.objects.get(kind=Kind.DEADLINE_PASSED)
    assert late.text == "2023 年度：2 项整改已逾期（2-3、3-5），请尽快填报。"
    assert not Message.objects.filter(notification=late, channel="email").exists()


def test_only_this_cycles_items_are_reminded(audit, cycle, manager):
    """2024's round, daily or by hand, leaves 2023's items alone."""
    from cycles.tests.helpers import next_cycle

    due_in(audit, "1-2", 3)
    following = next_cycle(manager)
    following.rectification_remind_days = 7
    following.save()
    assert reminders.due(following, TODAY, manual=False) == []
    assert reminders.due(following, TODAY, manual=True) == []
    assert [i.standard.code for i, _ in reminders.due(cycle, TODAY, manual=False)] == ["1-2"]


def test_every_address_of_the_agency_is_recorded(audit, cycle, staff004):
    """Both of 朝阳's staff get the mail, named in the record in the order of their accounts."""
    User.objects.create(
        username="chaoyang2", role="agency_staff", agency=staff004.agency, email="b@example.org"
    )
    due_in(audit, "1-2", -1)
    reminders.remind(cycle=cycle)
    assert ItemReminder.objects.get().recipients == "chaoyang@example.org, b@example.org"


def test_agencies_are_reminded_in_the_rosters_order(audit, cycle, manager, staff007):
    """朝阳 (004) comes before 怀柔 (007) on the roster, so its message goes first and the
    manager reads it first, though 怀柔's item stands earlier in the checklist."""
    User.objects.filter(pk=staff007.pk).update(email="huairou@example.org")
    huairou = finalized("007", manager, shortfalls=("1-1",))
    assert audit.serial < huairou.serial
    result = reminders.remind(cycle=cycle, manual=True)
    assert [a.agency.code for a in result.sent] == ["004", "007"]
    assert [message.to for message in outbox.outbox] == [
        ["chaoyang@example.org"],
        ["huairou@example.org"],
    ]


def test_the_items_due_come_with_their_agency_and_checklist_place(
    audit, cycle, django_assert_num_queries
):
    """The message names each agency and each item's 1-2: read with the items, not one by one."""
    with django_assert_num_queries(1):
        lines = reminders.due(cycle, TODAY, manual=True)
        named = [(item.audit.agency.name, item.standard.code) for item, _kind in lines]
    assert [code for _name, code in named] == ["1-2", "2-3", "3-5"]
