"""What happened, told to the people it concerns: an event recorded once (``Notification``),
one inbox row per recipient (``Delivery``) read in the portal under the bell, and one
outgoing ``Message`` per e-mail address and per group robot (``Robot``) of the recipients'
agency or of the office, sent by the background worker."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Audit


class Kind(models.TextChoices):
    DOCUMENT_RETURNED = "document_returned", _("document returned")
    RECTIFICATION_RETURNED = "rectification_returned", _("rectification returned")
    RECTIFICATION_CLOSED = "rectification_closed", _("rectification closed")
    EXTENSION_DECIDED = "extension_decided", _("extension decided")
    NOTICE_ISSUED = "notice_issued", _("audit notice issued")
    DRAFT_SENT = "draft_sent", _("draft report sent")
    DRAFT_ANSWERED = "draft_answered", _("draft report answered")
    REPORT_ISSUED = "report_issued", _("report issued")
    DEADLINE_NEAR = "deadline_near", _("deadline near")
    DEADLINE_PASSED = "deadline_passed", _("deadline passed")


class Notification(models.Model):
    """One event, recorded once: ``key`` names it (the same event told twice — a retried
    request, a second click — is the same row), ``text`` says what happened in a line and
    ``link`` where to see it."""

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=200, unique=True)
    text = models.CharField(_("text"), max_length=500)
    link = models.CharField(_("link"), max_length=300)
    audit = models.ForeignKey(
        Audit,
        verbose_name=_("audit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.text


class Delivery(models.Model):
    """A notification in one person's inbox: unread until they open it or mark it read."""

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "recipient"], name="one_delivery_per_recipient"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="delivery_inbox")]

    def __str__(self):
        return f"{self.recipient_id}: {self.notification_id}"


class Robot(models.Model):
    """A group robot of WeCom (企业微信) or DingTalk (钉钉): a chat group the agency's staff
    (``agency`` set) or the office's people (``agency`` empty) read. Its webhook and, for
    DingTalk's 加签, its secret are keys: shown again only masked, never logged."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the office's group (auditors and managers)."),
    )
    webhook = models.CharField(_("webhook address"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk only: the secret of the robot's 加签 setting (starts with SEC)."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")

    def __str__(self):
        return self.name


class Message(models.Model):
    """One notification on its way out by e-mail (to one person) or to one group robot:
    the outbox the background worker empties. A message is claimed before it is sent, so
    that two workers never send it twice; one a worker was sending when it died is not sent
    again but marked failed for the administrator to check."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        help_text=_("Empty: a test message."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    robot = models.ForeignKey(
        Robot,
        verbose_name=_("group robot"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField(_("e-mail address"), max_length=254, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "robot"],
                condition=models.Q(notification__isnull=False, robot__isnull=False),
                name="one_message_per_robot",
            ),
            models.UniqueConstraint(
                fields=["notification", "recipient"],
                condition=models.Q(notification__isnull=False, recipient__isnull=False),
                name="one_message_per_recipient",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="message_due")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.pk}"
