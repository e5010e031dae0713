"""What happened, told to the people it concerns: an event recorded once (``Notification``)
and one inbox row per recipient (``Delivery``), read in the portal under the bell."""

from django.conf import settings
from django.db import models
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
