"""整改: the problems a finalized audit found, followed until each is fixed and closed (销号).

An item copies its standard's finding and requirement as they were issued, so reopening the
audit or editing the assessment never changes what the agency was asked to fix. Its steps
are kept as events (who, when, what, before → after).
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Audit
from checklist.models import Result, Standard
from evidence.models import EvidenceFile

# The results that make a finding to rectify.
FINDING_RESULTS = (Result.LARGELY_COMPLIANT, Result.NON_COMPLIANT)


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("To rectify")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Closed")


# The statuses in which the agency owes an answer (and can be late with it).
AWAITING_AGENCY = (ItemStatus.PENDING, ItemStatus.RETURNED)


def is_late(status: str, deadline: date, today: date) -> bool:
    """Overdue: the agency still owes an answer and the deadline has passed. The day the
    deadline falls on is still in time; overdue starts the day after."""
    return status in AWAITING_AGENCY and deadline < today


def overdue_q(today: date, via: str = "") -> Q:
    """``is_late`` for the database: items overdue on ``today``, reached through ``via``
    (e.g. "rectification_items__" from an audit)."""
    return Q(**{f"{via}status__in": AWAITING_AGENCY, f"{via}deadline__lt": today})


class ItemQuerySet(models.QuerySet):
    def overdue(self, today: date | None = None):
        today = today or timezone.localdate()
        return self.filter(overdue_q(today))

    def in_order(self):
        return self.select_related("standard__category").order_by(
            "standard__category__position", "standard__number", "id"
        )


class RectificationItem(models.Model):
    audit = models.ForeignKey(
        Audit,
        verbose_name=_("audit"),
        on_delete=models.PROTECT,
        related_name="rectification_items",
    )
    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result as issued"), max_length=20, choices=Result.choices)
    finding = models.TextField(_("finding (问题描述)"))
    requirement = models.TextField(_("rectification requirement (整改要求)"))
    deadline = models.DateField(_("deadline (整改期限)"))
    status = models.CharField(
        _("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    measures = models.TextField(_("measures taken (整改措施)"), blank=True)
    responsible = models.CharField(_("person responsible (责任人)"), max_length=50, blank=True)
    completed_on = models.DateField(_("completed on (完成时间)"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn = models.BooleanField(
        _("withdrawn"),
        default=False,
        help_text=_("Closed because a reissued report no longer lists the finding."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["audit", "standard__category__position", "standard__number", "id"]
        constraints = [
            # one live item per finding; a withdrawn one may be followed by a new one
            models.UniqueConstraint(
                fields=["audit", "standard"],
                condition=Q(withdrawn=False),
                name="one_live_item_per_standard",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn=False) | Q(status=ItemStatus.CLOSED),
                name="withdrawn_items_are_closed",
            ),
            models.CheckConstraint(
                condition=Q(result__in=FINDING_RESULTS), name="items_are_findings"
            ),
        ]

    def __str__(self):
        return f"{self.audit} {self.standard.code}"

    def is_overdue(self, today: date | None = None) -> bool:
        """Late while the agency owes an answer: 待整改 or 退回 after the deadline."""
        return is_late(self.status, self.deadline, today or timezone.localdate())


class ItemEvent(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("created at finalization")
        SAVED = "saved", _("answer saved")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        CLOSED = "closed", _("closed (销号)")
        REOPENED = "reopened", _("reopened")
        DEADLINE = "deadline", _("deadline changed")
        EXTENSION_ASKED = "extension_asked", _("more time asked for (延期申请)")
        EXTENSION_GRANTED = "extension_granted", _("more time granted")
        EXTENSION_REFUSED = "extension_refused", _("more time refused")
        PROOF_ADDED = "proof_added", _("proof file added")
        PROOF_REMOVED = "proof_removed", _("proof file removed")
        WITHDRAWN = "withdrawn", _("withdrawn: the reissued report no longer lists the problem")

    item = models.ForeignKey(
        RectificationItem,
        verbose_name=_("rectification item"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("rectification step")
        verbose_name_plural = _("rectification steps")
        ordering = ["item", "at", "id"]

    def __str__(self):
        return f"{self.item} {self.get_action_display()}"

    # The fields whose changes a step records (as raw values: the labels are the reader's
    # language, chosen when the record is shown).
    SHOWN_FIELDS = ("measures", "responsible", "completed_on", "status", "deadline")

    def changes_shown(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) in the reader's language."""
        labels = dict(ItemStatus.choices)
        shown = []
        for field, (old, new) in self.changes.items():
            if field not in self.SHOWN_FIELDS:
                continue
            if field == "status":
                old, new = labels.get(old, old), labels.get(new, new)
            label = RectificationItem._meta.get_field(field).verbose_name
            shown.append((str(label), str(old or ""), str(new or "")))
        return shown


class ProofFile(models.Model):
    """A file the agency attached to its answer: stored, checked and downloaded like every
    evidence file (one pipeline, one private store), linked here to its item."""

    item = models.ForeignKey(
        RectificationItem,
        verbose_name=_("rectification item"),
        on_delete=models.PROTECT,
        related_name="proofs",
    )
    file = models.OneToOneField(
        EvidenceFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="proof"
    )

    class Meta:
        verbose_name = _("proof file")
        verbose_name_plural = _("proof files")
        ordering = ["item", "file__uploaded_at", "file_id"]

    def __str__(self):
        return str(self.file)


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class ExtensionRequest(models.Model):
    """延期申请: the agency asks for a later deadline, with a reason; a manager decides."""

    item = models.ForeignKey(
        RectificationItem,
        verbose_name=_("rectification item"),
        on_delete=models.PROTECT,
        related_name="extension_requests",
    )
    proposed_deadline = models.DateField(_("proposed deadline"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["item", "requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="one_pending_extension_per_item",
            ),
        ]

    def __str__(self):
        return f"{self.item} → {self.proposed_deadline}"


class ItemReminder(models.Model):
    """An e-mail that reminded the agency of an item, sent or not (with the reason).

    The daily reminder sends each item's "before" and "overdue" reminder once per deadline:
    a constraint keeps a second successful one from being recorded, and a moved deadline is
    reminded of again. A failed one is retried the next day.
    """

    class Kind(models.TextChoices):
        BEFORE = "before", _("deadline approaching")
        OVERDUE = "overdue", _("deadline passed")
        MANUAL = "manual", _("sent by a manager")

    item = models.ForeignKey(
        RectificationItem,
        verbose_name=_("rectification item"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    deadline = models.DateField(_("deadline reminded of"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the daily reminder."),
    )
    recipients = models.TextField(_("recipients"), blank=True)
    error = models.TextField(_("not sent because"), blank=True)

    class Meta:
        verbose_name = _("rectification reminder")
        verbose_name_plural = _("rectification reminders")
        ordering = ["item", "sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "kind", "deadline"],
                condition=Q(error="") & Q(kind__in=["before", "overdue"]),
                name="one_automatic_reminder_per_deadline",
            ),
        ]

    def __str__(self):
        return f"{self.item} {self.get_kind_display()}"
