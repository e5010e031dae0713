"""The security event log: who did what from where, kept for as long as the portal runs.

Append-only in three layers: the model and its queryset refuse to update or delete rows,
the admin shows them read-only, and the database itself refuses an UPDATE (and, on
PostgreSQL, a DELETE of a row younger than the retention, or outside the archiving
command) by a trigger (migrations 0002, 0006), so not even a bug can rewrite history.

Tamper-evident: each row carries the SHA-256 of its own content and of the row before it
(``previous_hash``), so a row changed, removed or slipped in by hand in the database breaks
the chain, and ``manage.py verify_security_log`` names the first broken link.
Times are stored in UTC (USE_TZ) and shown in Beijing time.
"""

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """A security event cannot be changed or deleted."""


class Kind(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Wrong user name or password")
    LOCKED_OUT = "locked_out", _("Sign-in locked")
    SIGN_OUT = "sign_out", _("Signed out")
    DENIED = "denied", _("Request refused")
    DOWNLOAD = "download", _("Download")
    DOWNLOAD_FAILED = "download_failed", _("Download not delivered")
    FINALIZE = "finalize", _("Audit finalized")
    REOPEN = "reopen", _("Audit reopened")
    CYCLE_CREATED = "cycle_created", _("Cycle created")
    # changes of users, roles, settings and reference data (who, what, before → after)
    RECORD_CREATED = "record_created", _("Record added")
    RECORD_CHANGED = "record_changed", _("Record changed")
    RECORD_DELETED = "record_deleted", _("Record deleted")
    ROLE_CHANGED = "role_changed", _("Role changed")
    SETTINGS_CHANGED = "settings_changed", _("Security settings changed")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password set by someone else")
    SECOND_FACTOR_ENROLLED = "otp_enrolled", _("Second factor set up")
    SECOND_FACTOR_PASSED = "otp_passed", _("One-time code accepted")
    SECOND_FACTOR_FAILED = "otp_failed", _("Wrong one-time code")
    RECOVERY_CODE_USED = "otp_recovery", _("Recovery code used")
    SECOND_FACTOR_RESET = "otp_reset", _("Second factor reset")
    ACCOUNT_DISABLED = "account_disabled", _("Account disabled")
    ACCOUNT_ENABLED = "account_enabled", _("Account enabled")
    UNLOCKED = "unlocked", _("Sign-in lock lifted")
    LOG_ARCHIVED = "log_archived", _("Security log archived")
    API_TOKEN_CREATED = "api_token_created", _("API token created")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
    API_CALL = "api_call", _("API call")


class SecurityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("security events are append-only")

    def delete(self):
        raise AppendOnlyError("security events are append-only")


class SecurityEvent(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True, editable=False)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        # A user with a history is deactivated, never deleted.
        on_delete=models.PROTECT,
        related_name="security_events",
    )
    # What was typed at sign-in (also when it names nobody), or the user's name at the time.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("address requested"), max_length=500, blank=True)
    status = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    target = models.CharField(_("target"), max_length=300, blank=True)
    request_id = models.CharField(_("request ID"), max_length=64, blank=True)
    # what changed, one "field: before → after" per line
    detail = models.TextField(_("details"), blank=True)
    previous_hash = models.CharField(_("previous row's hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["username", "at"], name="security_event_user_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"

    def save(self, *args, **kwargs):
        """Add the event, linked to the newest one. The chain's head row is held meanwhile,
        so two requests never link to the same predecessor."""
        if not self._state.adding:
            raise AppendOnlyError("security events are append-only")
        with transaction.atomic():
            head = ChainHead.objects.select_for_update().filter(pk=1).first()
            if head is None:  # the first event ever (or a test database just emptied)
                head = ChainHead.objects.create(pk=1)
            self.previous_hash = head.hash
            self.hash = self.content_hash()
            super().save(*args, **kwargs)
            ChainHead.objects.filter(pk=1).update(hash=self.hash, event_id=self.pk)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("security events are append-only")

    def content_hash(self) -> str:
        """SHA-256 of everything the row says, chained to the row before it."""
        address = self._meta.get_field("address").get_prep_value(self.address)
        return chain_hash(
            self.previous_hash,
            self.at,
            self.kind,
            self.user_id,
            self.username,
            address,
            self.method,
            self.path,
            self.status,
            self.target,
            self.request_id,
            self.detail,
        )


def chain_hash(previous_hash, at, *values) -> str:
    """The hash of one row: its predecessor's hash, its time in UTC and its fields, as
    JSON (also used by the migration that chained the rows written before the chain)."""
    content = [previous_hash, at.astimezone(UTC).isoformat(), *values]
    encoded = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


class ChainHead(models.Model):
    """The newest row's hash: one row, locked while an event is added, so that events are
    chained one after another even when many requests write at once; and the check that
    the newest rows were not cut off the end of the log."""

    hash = models.CharField(max_length=64, blank=True)
    event_id = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("security log chain head")

    def __str__(self):
        return self.hash


class ArchivedMonth(models.Model):
    """A month of the log moved into a signed file (``manage.py archive_security_log``):
    where the chain continues from, and the file's own hash."""

    month = models.DateField(_("month"), unique=True)
    first_event_id = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    last_hash = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    archived_at = models.DateTimeField(_("archived"), default=timezone.now)

    class Meta:
        verbose_name = _("archived month of the security log")
        ordering = ["month"]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class SecurityPolicy(models.Model):
    """The security settings (安全设置) the security administrator keeps: one row."""

    password_max_age_days = models.PositiveSmallIntegerField(
        _("password valid for (days)"),
        default=90,
        validators=[MaxValueValidator(3650)],
        help_text=_("After this many days a password must be changed; 0 means never."),
    )
    inactive_days = models.PositiveSmallIntegerField(
        _("disable accounts unused for (days)"),
        default=180,
        validators=[MaxValueValidator(3650)],
        help_text=_("Accounts not signed in to for this many days are disabled; 0 means never."),
    )
    second_factor_for_everyone = models.BooleanField(
        _("second factor for every role"),
        default=False,
        help_text=_(
            "Managers, administrators and the security roles always sign in with a one-time "
            "code; tick this to ask it of auditors and agency staff too."
        ),
    )

    class Meta:
        verbose_name = _("security settings")
        verbose_name_plural = _("security settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "SecurityPolicy":
        return cls.objects.filter(pk=1).first() or cls(pk=1)
