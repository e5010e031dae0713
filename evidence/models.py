from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Audit, Cycle
from checklist.models import Standard


class RequiredDocumentManager(models.Manager):
    def get_by_natural_key(self, year, number):
        return self.get(cycle__year=year, number=number)


class RequiredDocument(models.Model):
    """A document every agency prepares before the audit (附件3), numbered within a cycle.

    Titles are stored per cycle exactly as issued, so that items naming "the year before the
    audit year" (2022 for the 2023 cycle) read correctly in each year's list.
    """

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="required_documents"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.TextField(_("title"))
    short_name = models.CharField(
        _("short name"),
        max_length=12,
        blank=True,
        help_text=_(
            "A few characters (管理制度, 账簿凭证) heading the document's column where there is no room for the title."
        ),
    )
    is_previous_report = models.BooleanField(
        _("the previous audit report (前次稽核报告)"),
        default=False,
        help_text=_(
            "The portal attaches each agency's report of the previous cycle to this document by itself."
        ),
    )

    objects = RequiredDocumentManager()

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="one_document_per_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="document_number_from_one"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    @property
    def heading(self) -> str:
        """The column heading: the short name, or the number where there is none."""
        return self.short_name or str(self.number)

    def natural_key(self):
        return (self.cycle.year, self.number)

    natural_key.dependencies = ["agencies.cycle"]


class DocumentStatus(models.TextChoices):
    MISSING = "missing", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for more")


class DocumentRequest(models.Model):
    """One required document of one agency's audit: its status and the auditor's verdict.

    A row exists once something happened to the item (a file arrived, a verdict was given);
    an item without a row is 未提交.
    """

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="document_requests"
    )
    document = models.ForeignKey(
        RequiredDocument,
        verbose_name=_("required document"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.MISSING
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document request")
        verbose_name_plural = _("document requests")
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "document"], name="one_request_per_document_and_audit"
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="a_returned_document_says_why",
            ),
        ]

    def __str__(self):
        return f"{self.audit} {self.document.number}"


def evidence_storage():
    return storages["evidence"]


class EvidenceFile(models.Model):
    """An uploaded file: stored under a random key, shown and downloaded under its own name.

    The row is written only after the file is stored, and the stored file is deleted only
    after the row's deletion is committed, so a row never points at nothing; a crash in
    between can leave a stored file without a row, which ``cleanup_evidence`` removes.
    """

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.PROTECT, related_name="evidence_files"
    )
    request = models.ForeignKey(
        DocumentRequest,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="files",
        null=True,
        blank=True,
        help_text=_("Empty for the proof of a rectification item."),
    )
    key = models.CharField(_("storage key"), max_length=200, unique=True)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("file type"), max_length=10)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    is_late = models.BooleanField(_("uploaded after the deadline"), default=False)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("same content as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_file_not_empty"),
        ]

    def __str__(self):
        return self.original_name


class EvidenceEvent(models.Model):
    """Uploads, removals, acceptances and returns: who, when, what. Append-only."""

    class Action(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        REMOVED = "removed", _("Removed")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    request = models.ForeignKey(
        DocumentRequest, verbose_name=_("document"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("document event")
        verbose_name_plural = _("document events")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.request} {self.get_action_display()}"


class Reminder(models.Model):
    """An e-mail to an agency's staff about its missing documents."""

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="reminders"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.TextField(_("recipients"), blank=True)
    missing = models.PositiveSmallIntegerField(_("documents missing"))
    # Empty when the mail server took the message; otherwise why it was not sent.
    error = models.TextField(_("not sent because"), blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.audit} {self.sent_at:%Y-%m-%d}"


class StandardEvidence(models.Model):
    """A file an auditor cites for a standard while scoring."""

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="evidence_links"
    )
    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="+"
    )
    file = models.ForeignKey(
        EvidenceFile,
        verbose_name=_("file"),
        on_delete=models.CASCADE,
        related_name="standard_links",
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence for a standard")
        verbose_name_plural = _("evidence for standards")
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "standard", "file"], name="one_link_per_file_and_standard"
            ),
        ]

    def __str__(self):
        return f"{self.standard.code} ← {self.file}"
