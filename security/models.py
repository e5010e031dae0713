"""The security event log: who did what from where, kept for as long as the portal runs.

Append-only in three layers: the model and its queryset refuse to update or delete rows,
the admin shows them read-only, and the database itself refuses an UPDATE (and, on
PostgreSQL, a DELETE) by a trigger (migration 0002), so not even a bug can rewrite history.
Times are stored in UTC (USE_TZ) and shown in Beijing time.
"""

from django.conf import settings
from django.db import models
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

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["username", "at"], name="security_event_user_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("security events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("security events are append-only")
