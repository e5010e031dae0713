"""The way out: a notification queued for e-mail and for the recipients' group robots
(``queue``, in the event's transaction), and sent later by the background worker
(``deliver``, run by ``manage.py db_worker``; ``send_due`` does the work): each robot at
most PER_MINUTE messages a minute, a failure retried after a growing pause and, after the
last try, left failed for the administrator to see.

A message is claimed (pending → sending) in a statement of its own before it is sent, so
two workers never send it both; a message found still "sending" long after its claim was
being sent when its worker died: whether it arrived cannot be known, so it is marked
failed for the administrator to check and send again, never sent twice by itself."""

from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task, task_backends

from accounts.models import Role
from common import mail

from . import robots
from .models import Message, Notification, Robot

PER_MINUTE = 20  # WeCom's and DingTalk's documented limit for one group robot
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
)  # the pause after the 1st, 2nd, ... failure; the one after the last is final
INTERRUPTED_AFTER = timedelta(minutes=10)
BATCH = 200
OFFICE_SIDE = (Role.AUDITOR, Role.MANAGER)


def queue(notification: Notification, recipients, *, email: bool = True) -> int:
    """The notification's outgoing messages: an e-mail to each recipient with an address
    (unless the event sends its own, ``email=False``), one message to each active robot of
    the agencies of the staff among them and, when auditors or managers are among them, to
    each of the office's. The worker is woken once the transaction commits."""
    messages = []
    if email:
        messages += [
            Message(
                notification=notification,
                channel=Message.Channel.EMAIL,
                recipient=user,
                address=user.email,
            )
            for user in recipients
            if user.email
        ]
    agencies = {u.agency_id for u in recipients if u.role == Role.AGENCY_STAFF and u.agency_id}
    groups = Q(agency_id__in=agencies)
    if any(u.role in OFFICE_SIDE for u in recipients):
        groups |= Q(agency__isnull=True)
    messages += [
        Message(notification=notification, channel=robot.kind, robot=robot)
        for robot in Robot.objects.filter(groups, active=True).order_by("pk")
    ]
    Message.objects.bulk_create(messages)
    if messages:
        transaction.on_commit(wake)
    return len(messages)


def wake() -> None:
    """Ask the background worker to send what is due."""
    deliver.enqueue()


def send_due(now: datetime | None = None) -> datetime | None:
    """Send the messages that are due; when to look again (None: nothing is waiting)."""
    now = now or timezone.now()
    _interrupted(now)
    due = list(
        Message.objects.filter(status=Message.Status.PENDING, next_attempt_at__lte=now)
        .select_related("notification", "robot")
        .order_by("next_attempt_at", "pk")[:BATCH]
    )
    recent = Counter(
        dict(
            Message.objects.filter(robot__isnull=False, claimed_at__gt=now - timedelta(minutes=1))
            .values_list("robot")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    emails = []
    for message in due:
        if message.robot_id is None:
            if _claim(message, now):
                emails.append(message)
        elif not message.robot.active:
            _fail(message, _("the group robot was switched off"))
        elif recent[message.robot_id] < PER_MINUTE and _claim(message, now):
            recent[message.robot_id] += 1
            send_to_robot(message, now)
    _send_emails(emails, now)
    return _next_look(now)


def send_to_robot(message: Message, now: datetime) -> None:
    title, text, link = _content(message)
    try:
        robots.post(message.robot, title, text, link)
    except robots.RobotError as error:
        if error.rate_limited:  # the robot's own limit: not a failure, a wait
            Message.objects.filter(pk=message.pk).update(
                status=Message.Status.PENDING,
                attempts=message.attempts - 1,
                next_attempt_at=now + timedelta(minutes=1),
                error=str(error)[:500],
            )
        else:
            _retry_or_fail(message, str(error), now)
    else:
        _sent(message, now)


def send_test_message(robot: Robot, by) -> Message:
    """Send a test message to the robot at once (the administrator waits for the answer);
    the message, sent or failed with the reason."""
    message = Message.objects.create(channel=robot.kind, robot=robot, status=Message.Status.SENDING)
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(claimed_at=now, attempts=1)
    message.claimed_at, message.attempts = now, 1
    try:
        robots.post(
            robot,
            _("Test message"),
            _("%(name)s set up this robot for the audit portal's notifications.")
            % {"name": by.full_name or by.get_username()},
            "",
        )
    except robots.RobotError as error:
        _fail(message, str(error))
    else:
        _sent(message, now)
    message.refresh_from_db()
    return message


def send_again(ids) -> int:
    """The administrator's "send again": failed messages back in the queue, tried afresh."""
    count = Message.objects.filter(
        pk__in=ids, status=Message.Status.FAILED, notification__isnull=False
    ).update(status=Message.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), error="")
    if count:
        transaction.on_commit(wake)
    return count


def _claim(message: Message, now: datetime) -> bool:
    """Take the message for sending; False when another worker took it first."""
    claimed = Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
        status=Message.Status.SENDING, claimed_at=now, attempts=message.attempts + 1
    )
    message.attempts += 1
    return claimed == 1


def _sent(message: Message, now: datetime) -> None:
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT, sent_at=now, error="")


def _fail(message: Message, reason: str) -> None:
    Message.objects.filter(pk=message.pk).update(status=Message.Status.FAILED, error=reason[:500])


def _retry_or_fail(message: Message, reason: str, now: datetime) -> None:
    if message.attempts > len(BACKOFF):
        _fail(message, reason)
        return
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.PENDING,
        next_attempt_at=now + BACKOFF[message.attempts - 1],
        error=reason[:500],
    )


def _interrupted(now: datetime) -> None:
    Message.objects.filter(
        status=Message.Status.SENDING, claimed_at__lt=now - INTERRUPTED_AFTER
    ).update(
        status=Message.Status.FAILED,
        error=_(
            "the worker stopped while sending it: whether it arrived is not known; "
            "check with the recipients, then send it again if it did not"
        ),
    )


def _content(message: Message) -> tuple[str, str, str]:
    notification = message.notification
    link = settings.PORTAL_BASE_URL.rstrip("/") + notification.link
    return notification.get_kind_display(), notification.text, link


def _send_emails(messages: list[Message], now: datetime) -> None:
    outgoing = []
    for message in messages:
        title, text, link = _content(message)
        outgoing.append(
            EmailMessage(
                subject=f"【{settings.PORTAL_OFFICE_NAME}】{title}",
                body=f"{text}\n\n{robots.open_in_portal()}：{link}\n\n{settings.PORTAL_OFFICE_NAME}",
                to=[message.address],
            )
        )
    for message, error in zip(messages, mail.deliver(outgoing), strict=True):
        if error is None:
            _sent(message, now)
        else:
            _retry_or_fail(message, mail.failure_reason(error), now)


def _next_look(now: datetime) -> datetime | None:
    """The earliest a waiting message may go: its next attempt, or a minute after its
    robot's oldest message of the last minute when the robot is at its limit."""
    waiting = Message.objects.filter(status=Message.Status.PENDING)
    earliest = waiting.aggregate(at=Min("next_attempt_at"))["at"]
    if earliest is None:
        return None
    if earliest > now:
        return earliest
    busy = Message.objects.filter(
        robot__in=waiting.values("robot"), claimed_at__gt=now - timedelta(minutes=1)
    ).aggregate(at=Min("claimed_at"))["at"]
    return (busy + timedelta(minutes=1)) if busy else now


@task()
def deliver() -> None:
    again = send_due()
    if again is not None:
        _come_back(again)


def _come_back(at: datetime) -> None:
    """One later run at ``at``, unless one is already waiting to run by then (every event
    wakes the worker: their follow-ups must not multiply). The immediate backend of the
    tests and of ``make run`` cannot wait: there, the next event or ``manage.py
    send_notifications`` sends what waits."""
    backend = task_backends[deliver.backend]
    if not backend.supports_defer:
        return
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    waiting = DBTaskResult.objects.filter(
        Q(run_after__lte=at) | Q(run_after=get_date_max()),  # the latter: "at once"
        status=TaskResultStatus.READY,
        task_path=deliver.module_path,
    )
    if not waiting.exists():
        deliver.using(run_after=at).enqueue()
