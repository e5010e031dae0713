"""Notifications where people read them outside the portal: e-mail (a real SMTP server on
loopback) and the group robots of WeCom and DingTalk (a robot server on loopback that
checks the message's format and DingTalk's signature, and answers errors and slowly).
Sent by the background worker, never in the request; each robot at most 20 a minute;
failures retried after growing pauses, then shown to the administrator."""

import logging
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency
from evidence.tests.test_reminder_mail import Accepting, free_port, use_server
from notifications import outbox, robots
from notifications.models import Kind, Message, Notification, Robot
from notifications.services import audit_team, notify

from .robot_server import DINGTALK_SECRET, WECOM_KEY, running


@pytest.fixture
def server():
    with running() as server:
        yield server


@pytest.fixture
def mailbox(settings):
    """A real SMTP server on loopback that accepts everything; the portal sends there."""
    accepting = Accepting()
    controller = Controller(accepting, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_server(settings, controller.port)
    yield accepting
    controller.stop()


@pytest.fixture
def groups(db, server):
    """朝阳 (004) has a WeCom group and a DingTalk group with 加签; 怀柔 (007) a WeCom group;
    the office a DingTalk group."""
    chaoyang, huairou = Agency.objects.get(code="004"), Agency.objects.get(code="007")
    return {
        "004-wecom": Robot.objects.create(
            name="朝阳企业微信群", kind="wecom", agency=chaoyang, webhook=server.wecom_url()
        ),
        "004-dingtalk": Robot.objects.create(
            name="朝阳钉钉群",
            kind="dingtalk",
            agency=chaoyang,
            webhook=server.dingtalk_url(),
            secret=DINGTALK_SECRET,
        ),
        "007-wecom": Robot.objects.create(
            name="怀柔企业微信群", kind="wecom", agency=huairou, webhook=server.wecom_url()
        ),
        "office": Robot.objects.create(
            name="办事处钉钉群",
            kind="dingtalk",
            webhook=server.dingtalk_url(),
            secret=DINGTALK_SECRET,
        ),
    }


def _event(recipients, key="k", text="2023 年度：稽核报告已出具"):
    return notify(
        kind=Kind.REPORT_ISSUED,
        key=key,
        text=text,
        link="/cycles/2023/agencies/004/",
        recipients=recipients,
    )


def _status(**filters):
    return sorted(Message.objects.filter(**filters).values_list("status", flat=True))


def test_an_event_reaches_the_agencys_groups_and_its_staffs_mailboxes(
    groups, server, mailbox, staff004, staff007
):
    User.objects.filter(pk=staff004.pk).update(email="chaoyang@example.org")
    staff004.refresh_from_db()
    _event([staff004])
    assert outbox.send_due() is None  # nothing left waiting
    assert sorted(kind for kind, _ in server.received) == ["dingtalk", "wecom"]
    posted = dict(server.received)
    assert "2023 年度：稽核报告已出具" in posted["wecom"]["markdown"]["content"]
    assert (
        "http://127.0.0.1:8000/cycles/2023/agencies/004/" in posted["wecom"]["markdown"]["content"]
    )
    assert posted["dingtalk"]["markdown"]["title"] == "稽核报告出具"
    [mail] = mailbox.received
    assert mail.rcpt_tos == ["chaoyang@example.org"]
    assert "稽核报告已出具" in mail.content.decode()
    assert _status() == ["sent", "sent", "sent"]
    # 怀柔's group and the office's heard nothing of 朝阳's report
    assert not Message.objects.filter(robot__in=[groups["007-wecom"], groups["office"]]).exists()


def test_an_event_for_the_office_reaches_the_office_group_only(groups, server, manager):
    _event([manager])
    outbox.send_due()
    assert [(kind, m["markdown"]["title"]) for kind, m in server.received] == [
        ("dingtalk", "稽核报告出具")
    ]
    assert Message.objects.get(robot__isnull=False).robot == groups["office"]


def test_a_switched_off_robot_gets_nothing(groups, server, staff004):
    Robot.objects.filter(kind="dingtalk").update(active=False)
    _event([staff004])
    outbox.send_due()
    assert [kind for kind, _ in server.received] == ["wecom"]


def test_a_robot_switched_off_after_the_event_gets_nothing_and_says_why(groups, server, staff004):
    _event([staff004])
    Robot.objects.filter(kind="dingtalk").update(active=False)
    outbox.send_due()
    assert [kind for kind, _ in server.received] == ["wecom"]
    failed = Message.objects.get(robot=groups["004-dingtalk"])
    assert failed.status == Message.Status.FAILED and failed.error == "该群机器人已停用"


def test_nothing_is_sent_in_the_request_and_the_worker_sends_after_the_commit(
    groups, server, staff004, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        _event([staff004])
        assert server.received == []  # queued with the event, not sent
    assert len(callbacks) == 1  # the worker is woken once, after the commit
    callbacks[0]()  # the tests' immediate backend runs the worker's task at once
    assert len(server.received) == 2


def test_an_event_rolled_back_sends_nothing(groups, server, staff004):
    with pytest.raises(RuntimeError), transaction.atomic():
        _event([staff004])
        raise RuntimeError
    assert not Message.objects.exists()
    outbox.send_due()
    assert server.received == []


def test_a_wrong_signature_is_refused_retried_after_growing_pauses_then_failed(
    groups, server, staff004
):
    Robot.objects.filter(pk=groups["004-dingtalk"].pk).update(secret="SEC-wrong")
    Robot.objects.filter(pk=groups["004-wecom"].pk).update(active=False)
    _event([staff004])
    message = Message.objects.get(robot=groups["004-dingtalk"])
    now, pauses = timezone.now(), []
    while True:
        outbox.send_due(now)
        message.refresh_from_db()
        if message.status != Message.Status.PENDING:
            break
        pauses.append(message.next_attempt_at - now)
        now = message.next_attempt_at
    assert pauses == list(outbox.BACKOFF)
    assert message.status == Message.Status.FAILED and message.attempts == len(outbox.BACKOFF) + 1
    assert message.error == "群机器人拒收了消息：errcode 310000 refused"
    assert server.refused == [("dingtalk", 310000)] * (len(outbox.BACKOFF) + 1)
    assert server.received == []


def test_a_robot_that_does_not_answer_in_time_is_tried_again(groups, server, staff004, monkeypatch):
    monkeypatch.setattr(robots, "TIMEOUT", 0.3)
    server.mode, server.slow_seconds = "slow", 1
    Robot.objects.exclude(pk=groups["004-wecom"].pk).update(active=False)
    _event([staff004])
    now = timezone.now()
    again = outbox.send_due(now)
    message = Message.objects.get()
    assert message.status == Message.Status.PENDING and message.attempts == 1
    assert message.error == "群机器人的服务器未在 0.3 秒内应答"
    assert again == message.next_attempt_at == now + outbox.BACKOFF[0]
    server.mode = "ok"
    outbox.send_due(again)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.error == ""


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("refuse", "群机器人拒收了消息：errcode 93000 refused"),
        ("busy", "群机器人拒收了消息：errcode -1 refused"),
        ("http500", "群机器人的服务器应答 HTTP 500"),
    ],
)
def test_a_refusal_is_recorded_in_words(groups, server, staff004, mode, error):
    server.mode = mode
    Robot.objects.exclude(pk=groups["004-wecom"].pk).update(active=False)
    _event([staff004])
    now = timezone.now()
    outbox.send_due(now)
    assert Message.objects.get().error == error


def test_an_unreachable_robot_is_named_without_its_key(groups, server, staff004):
    Robot.objects.filter(pk=groups["004-wecom"].pk).update(
        webhook=f"http://127.0.0.1:9/cgi-bin/webhook/send?key={WECOM_KEY}"
    )
    Robot.objects.exclude(pk=groups["004-wecom"].pk).update(active=False)
    _event([staff004])
    now = timezone.now()
    outbox.send_due(now)
    assert Message.objects.get().error == "无法连接群机器人的服务器 127.0.0.1:9"


def test_each_robot_gets_at_most_20_messages_a_minute(groups, server, staff004):
    Robot.objects.exclude(pk=groups["004-wecom"].pk).update(active=False)
    for n in range(25):
        _event([staff004], key=f"k{n}", text=f"第 {n} 条")
    now = timezone.now()
    again = outbox.send_due(now)
    assert len(server.received) == outbox.PER_MINUTE == 20
    assert again == now + timedelta(minutes=1)  # when the robot's minute is over
    outbox.send_due(now + timedelta(seconds=59))
    assert len(server.received) == 20
    assert outbox.send_due(now + timedelta(seconds=61)) is None
    texts = [m["markdown"]["content"] for _, m in server.received]
    assert [int(t.split("第 ")[1].split(" 条")[0]) for t in texts] == list(range(25))  # in order


def test_the_robots_own_limit_is_a_wait_not_a_failure(groups, server, staff004):
    server.mode = "limit"
    Robot.objects.exclude(pk=groups["004-wecom"].pk).update(active=False)
    _event([staff004])
    now = timezone.now()
    for minute in range(10):  # longer than every retry: still waiting, not failed
        outbox.send_due(now + timedelta(minutes=minute, seconds=1))
    message = Message.objects.get()
    assert message.status == Message.Status.PENDING and message.attempts == 0
    server.mode = "ok"
    outbox.send_due(now + timedelta(minutes=11))
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_a_message_another_worker_holds_is_not_sent_again(groups, server, staff004):
    _event([staff004])
    now = timezone.now()
    Message.objects.filter(robot=groups["004-wecom"]).update(
        status=Message.Status.SENDING, claimed_at=now
    )
    outbox.send_due(now + timedelta(minutes=1))
    assert [kind for kind, _ in server.received] == ["dingtalk"]


def test_a_message_whose_worker_died_while_sending_is_failed_not_sent_twice(
    groups, server, staff004, administrator, client_for
):
    _event([staff004])
    now = timezone.now()
    held = Message.objects.get(robot=groups["004-wecom"])
    Message.objects.filter(pk=held.pk).update(
        status=Message.Status.SENDING, claimed_at=now, attempts=1
    )
    outbox.send_due(now + outbox.INTERRUPTED_AFTER + timedelta(seconds=1))  # after a restart
    held.refresh_from_db()
    assert held.status == Message.Status.FAILED and "是否已送达无法确认" in held.error
    assert [kind for kind, _ in server.received] == ["dingtalk"]
    # the administrator sees it, checks, and sends it again
    client = client_for("administrator")
    page = client.get("/admin/notifications/message/?status__exact=failed").content.decode()
    assert "是否已送达无法确认" in page
    response = client.post(
        "/admin/notifications/message/",
        {"action": "send_again", "_selected_action": [held.pk]},
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == Message.Status.PENDING and held.attempts == 0
    outbox.send_due()
    assert sorted(kind for kind, _ in server.received) == ["dingtalk", "wecom"]


def test_a_message_left_waiting_by_a_stopped_worker_goes_when_it_starts(groups, server, staff004):
    _event([staff004])  # the worker was down: nothing went
    assert _status() == ["pending", "pending"]
    outbox.send_due()  # it starts again
    assert _status() == ["sent", "sent"] and len(server.received) == 2


def test_the_worker_comes_back_once_when_a_message_must_wait(groups, server, staff004, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    server.mode = "refuse"
    Robot.objects.exclude(pk=groups["004-wecom"].pk).update(active=False)
    _event([staff004])
    outbox.deliver.call()
    outbox.deliver.call()  # a second event's run: no second follow-up
    [later] = DBTaskResult.objects.filter(task_path="notifications.outbox.deliver")
    assert later.run_after == Message.objects.get().next_attempt_at


def test_the_robots_key_is_never_logged(groups, server, staff004, caplog):
    with caplog.at_level(logging.DEBUG):
        _event([staff004])
        outbox.send_due()
    assert len(server.received) == 2
    assert WECOM_KEY not in caplog.text and "access_token" not in caplog.text


def test_dingtalk_signs_the_webhook_with_the_timestamp():
    robot = Robot(
        kind="dingtalk",
        webhook="https://oapi.dingtalk.com/robot/send?access_token=t",
        secret="SECabc",
    )
    # computed apart: printf '1700000000000\nSECabc' | openssl dgst -sha256 -hmac SECabc -binary | base64
    assert robots.sign("SECabc", 1700000000000) == "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D"
    assert robots.signed_url(robot, 1700000000000).endswith(
        "?access_token=t&timestamp=1700000000000&sign=jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D"
    )
    robot.kind = "wecom"
    assert robots.signed_url(robot, 1700000000000) == robot.webhook


def test_the_daily_reminder_tells_the_agency_once(groups, server, manager, staff004):
    from rectification import reminders
    from rectification.tests.helpers import finalized

    audit = finalized("004", manager)
    Message.objects.all().delete()
    far = audit.finalized_at.date() + timedelta(days=400)  # past every deadline
    reminders.remind(cycle=audit.cycle, today=far)
    reminders.remind(cycle=audit.cycle, today=far)  # run twice: told once
    [message] = {m.notification for m in Message.objects.select_related("notification")}
    assert message.kind == Kind.DEADLINE_PASSED
    assert message.text.startswith("2023 年度：") and "项整改已逾期" in message.text
    assert not Message.objects.filter(channel="email").exists()  # the reminder mails itself
    outbox.send_due()
    assert sorted(kind for kind, _ in server.received) == ["dingtalk", "wecom"]


def test_the_audit_team_is_the_office_side(groups, manager, auditor):
    from checklist.tests.helpers import audit_of

    audit = audit_of("004")
    notify(
        kind=Kind.DRAFT_ANSWERED,
        key="d",
        text="t",
        link="/",
        recipients=audit_team(audit),
        audit=audit,
    )
    assert [m.robot for m in Message.objects.filter(robot__isnull=False)] == [groups["office"]]


def test_two_workers_cannot_both_claim_a_message(groups, staff004):
    _event([staff004])
    now = timezone.now()
    mine, theirs = Message.objects.first(), Message.objects.first()  # read by both workers
    assert outbox._claim(mine, now) is True
    assert outbox._claim(theirs, now) is False  # the other worker finds it taken


def test_the_daily_reminder_tells_a_deadline_near(groups, manager, staff004):
    from rectification import reminders
    from rectification.models import RectificationItem
    from rectification.tests.helpers import finalized

    audit = finalized("004", manager)
    audit.cycle.rectification_remind_days = 7
    audit.cycle.save(update_fields=["rectification_remind_days"])
    first = RectificationItem.objects.filter(audit=audit).order_by("deadline").first()
    reminders.remind(cycle=audit.cycle, today=first.deadline - timedelta(days=3))
    [near] = Notification.objects.filter(kind=Kind.DEADLINE_NEAR)
    assert (
        near.text.startswith("2023 年度：")
        and f"将于 {first.deadline.isoformat()} 前到期" in near.text
    )
    assert first.standard.code in near.text
    assert not Notification.objects.filter(kind=Kind.DEADLINE_PASSED).exists()
