"""Reminders against a real SMTP server on loopback (aiosmtpd), through Django's SMTP
backend: one that accepts, one that refuses a recipient, one that drops the connection
half-way, one that never answers, and none at all."""

import smtplib
import socket
import threading
from contextlib import closing, suppress
from datetime import date
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from accounts.models import User
from common import mail
from evidence.models import Reminder

HUAIROU = "huairou@example.org"
CHAOYANG = "chaoyang@example.org"


class Accepting:
    def __init__(self, refuse=(), drop_after=None):
        self.received = []
        self.refuse = set(refuse)
        self.drop_after = drop_after

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            server.transport.close()  # the server goes away in the middle of the work
            return "421 closing"
        self.received.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp(settings):
    """Start a real SMTP server with the given handler; the portal's settings point at it."""
    controllers = []

    def start(handler):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        controllers.append(controller)
        use_server(settings, controller.port)
        return handler

    yield start
    for controller in controllers:
        controller.stop()


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_server(settings, port, timeout=2):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = timeout


@pytest.fixture
def two_agencies_missing(staff004, staff007):
    """Both agencies with staff have missing documents and an e-mail address."""
    User.objects.filter(pk=staff004.pk).update(email=CHAOYANG)
    User.objects.filter(pk=staff007.pk).update(email=HUAIROU)


def remind(client_for):
    return client_for("manager").post("/cycles/2023/documents/remind/", follow=True)


def test_a_real_smtp_server_receives_every_reminder(client_for, smtp, two_agencies_missing):
    server = smtp(Accepting())
    page = remind(client_for).content.decode()
    assert "已向 2 个代办处发送提醒邮件。" in page
    assert sorted(tuple(e.rcpt_tos) for e in server.received) == [(CHAOYANG,), (HUAIROU,)]
    messages = [message_from_bytes(e.original_content, policy=default) for e in server.received]
    assert all("请尽快提交稽核资料" in m["Subject"] for m in messages)
    assert any("/cycles/2023/agencies/007/documents/" in m.get_content() for m in messages)
    assert Reminder.objects.filter(error="").count() == 2


def test_a_refused_recipient_fails_its_agency_only(client_for, smtp, two_agencies_missing):
    server = smtp(Accepting(refuse={HUAIROU}))
    response = remind(client_for)
    page = response.content.decode()
    assert response.status_code == 200
    assert "已向 1 个代办处发送提醒邮件。" in page
    assert "怀柔" in page and "550" in page and "未发送" in page
    assert [e.rcpt_tos for e in server.received] == [[CHAOYANG]]
    sent = Reminder.objects.get(error="")
    failed = Reminder.objects.exclude(error="").get()
    assert sent.audit.agency.code == "004" and failed.audit.agency.code == "007"
    assert "550" in failed.error
    grid = client_for("manager").get("/cycles/2023/documents/").content.decode()
    assert grid.count('data-testid="reminder-failed"') == 1


def test_a_server_lost_half_way_keeps_the_reminders_already_sent(
    client_for, smtp, two_agencies_missing
):
    server = smtp(Accepting(drop_after=1))
    page = remind(client_for).content.decode()
    assert len(server.received) == 1
    assert "已向 1 个代办处发送提醒邮件。" in page and "未发送" in page
    assert Reminder.objects.filter(error="").count() == 1
    assert Reminder.objects.exclude(error="").count() == 1


def test_a_server_that_never_answers_fails_once_within_the_timeout(
    client_for, settings, two_agencies_missing
):
    # Accepts connections and never says a word; counts them.
    connections = []
    with closing(socket.socket()) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        silent.settimeout(0.1)
        stop = threading.Event()

        def accept():
            while not stop.is_set():
                with suppress(TimeoutError):
                    connections.append(silent.accept()[0])

        listener = threading.Thread(target=accept, daemon=True)
        listener.start()
        use_server(settings, silent.getsockname()[1], timeout=1)
        response = remind(client_for)
        stop.set()
        listener.join()
        for connection in connections:
            connection.close()
    page = response.content.decode()
    assert response.status_code == 200
    assert len(connections) == 1, "one timeout for the whole batch, not one per agency"
    assert "1 秒内没有应答" in page and "朝阳" in page and "怀柔" in page
    assert Reminder.objects.exclude(error="").count() == 2
    assert not Reminder.objects.filter(error="").exists()


def test_no_mail_server_at_all_is_a_message_not_a_500(client_for, settings, two_agencies_missing):
    use_server(settings, free_port())  # nothing listens there
    response = remind(client_for)
    assert response.status_code == 200
    page = response.content.decode()
    assert "拒绝连接" in page and "未发送" in page
    assert Reminder.objects.exclude(error="").count() == 2


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (socket.gaierror(-2, "Name or service not known"), "找不到邮件服务器"),
        (ConnectionRefusedError(111, "Connection refused"), "拒绝连接"),
        (TimeoutError("timed out"), "秒内没有应答"),
        (OSError(101, "Network is unreachable"), "无法连接"),
    ],
)
def test_each_failure_is_explained_in_chinese(db, error, words):
    assert words in mail.failure_reason(error)


def test_after_a_lost_connection_the_rest_are_recorded_not_sent(
    client_for, smtp, two_agencies_missing
):
    from agencies.models import Agency

    User.objects.create(
        username="miyun",
        role="agency_staff",
        agency=Agency.objects.get(code="008"),
        email="miyun@example.org",
    )
    server = smtp(Accepting(drop_after=1))
    page = remind(client_for).content.decode()
    assert len(server.received) == 1
    sent = Reminder.objects.get(error="")
    second, third = Reminder.objects.exclude(error="").order_by("audit__serial")
    assert (sent.audit.agency.code, second.audit.agency.code, third.audit.agency.code) == (
        "004",
        "007",
        "008",
    )
    assert third.error == second.error and "中断了连接" in third.error
    assert (third.recipients, third.missing) == ("miyun@example.org", 10)
    assert "有 2 个代办处的提醒邮件未发送（怀柔、密云）" in page


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (
            smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"5.1.1 no such user")}),
            "邮件服务器拒收了收件地址（a@x.org 550 5.1.1 no such user）",
        ),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), "不接受本平台的用户名或密码"),
        (smtplib.SMTPDataError(554, b"spam"), "邮件服务器答复 554 spam"),
        (smtplib.SMTPServerDisconnected("gone"), "邮件服务器 127.0.0.1:2525 中断了连接"),
        (
            OSError(101, "Network is unreachable"),
            "无法连接邮件服务器 127.0.0.1:2525（[Errno 101] Network is unreachable）",
        ),
        (socket.gaierror(-2, "Name or service not known"), "找不到邮件服务器 127.0.0.1"),
    ],
)
def test_the_reason_names_the_server_and_its_answer(db, settings, error, text):
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 2525
    assert text in mail.failure_reason(error)


def bodies(server):
    return [
        message_from_bytes(e.original_content, policy=default).get_content()
        for e in server.received
    ]


def test_the_reminder_names_the_deadline_only_when_the_cycle_has_one(
    client_for, smtp, cycle, two_agencies_missing
):
    server = smtp(Accepting())
    remind(client_for)
    assert all("被退回补充。请登录稽核管理平台上传" in body for body in bodies(server))
    server.received.clear()
    cycle.document_deadline = date(2023, 11, 30)
    cycle.save()
    remind(client_for)
    assert len(server.received) == 2
    assert all("资料提交截止日期为 2023-11-30。请登录" in body for body in bodies(server))


def test_an_agency_without_addresses_does_not_stop_the_ones_after_it(client_for, smtp, staff007):
    User.objects.filter(pk=staff007.pk).update(email=HUAIROU)  # 004 (first) has no address
    server = smtp(Accepting())
    page = remind(client_for).content.decode()
    assert [e.rcpt_tos for e in server.received] == [[HUAIROU]]
    assert "已向 1 个代办处发送提醒邮件。" in page
    assert list(Reminder.objects.values_list("audit__agency__code", flat=True)) == ["007"]


def test_a_refused_first_agency_does_not_stop_the_next(client_for, smtp, two_agencies_missing):
    server = smtp(Accepting(refuse={CHAOYANG}))
    remind(client_for)
    assert [e.rcpt_tos for e in server.received] == [[HUAIROU]]
    assert Reminder.objects.get(error="").audit.agency.code == "007"
    assert "550" in Reminder.objects.exclude(error="").get(audit__agency__code="004").error


def test_every_refused_address_of_an_agency_is_named(client_for, smtp, two_agencies_missing):
    from agencies.models import Agency

    second = "huairou2@example.org"
    User.objects.create(
        username="huairou2",
        role="agency_staff",
        agency=Agency.objects.get(code="007"),
        email=second,
    )
    smtp(Accepting(refuse={HUAIROU, second}))
    remind(client_for)
    failed = Reminder.objects.exclude(error="").get()
    assert failed.recipients == f"{HUAIROU}, {second}"
    assert f"{HUAIROU} 550 5.1.1 mailbox unavailable; {second} 550 5.1.1 mailbox unavailable" in (
        failed.error
    )


def test_after_a_lost_connection_every_later_agency_is_recorded(
    client_for, smtp, two_agencies_missing
):
    from agencies.models import Agency

    for code in ("008", "011"):
        User.objects.create(
            username=f"staff{code}",
            role="agency_staff",
            agency=Agency.objects.get(code=code),
            email=f"{code}@example.org",
        )
    smtp(Accepting(drop_after=1))
    remind(client_for)
    failed = Reminder.objects.exclude(error="").order_by("audit__serial")
    assert [r.audit.agency.code for r in failed] == ["007", "008", "011"]
    assert Reminder.objects.get(error="").audit.agency.code == "004"


class LongGoodbye(SMTP):
    """Answers QUIT with a line longer than smtplib accepts, so closing the connection
    raises after every message has gone."""

    async def smtp_QUIT(self, arg):
        await self.push("221 " + "x" * 9000)
        self.transport.close()


class LongGoodbyeController(Controller):
    def factory(self):
        return LongGoodbye(self.handler)


def test_a_failure_while_closing_the_connection_loses_nothing(
    client_for, settings, two_agencies_missing
):
    handler = Accepting()
    controller = LongGoodbyeController(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        use_server(settings, controller.port)
        response = remind(client_for)
    finally:
        controller.stop()
    assert response.status_code == 200
    assert len(handler.received) == 2
    assert "已向 2 个代办处发送提醒邮件。" in response.content.decode()
    assert Reminder.objects.filter(error="").count() == 2


def test_a_server_answer_not_in_utf8_is_shown_readable_and_cut_short(db):
    reason = mail.failure_reason(smtplib.SMTPDataError(554, b"\xff\xfe" + b"x" * 300))
    assert reason == "邮件服务器答复 554 \ufffd\ufffd" + "x" * 198
