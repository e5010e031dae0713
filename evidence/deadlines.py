"""The document deadline (资料提交截止日期) told to the agencies that still owe documents: a
few days before it and once it has passed, in the portal, by e-mail and in their group
robots (the daily ``manage.py remind_documents``). Each agency hears each once per deadline,
however often the command runs; a deadline moved is a new deadline."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import AuditStatus, Cycle
from notifications.models import Kind, Notification
from notifications.services import agency_staff, notify

from .services import missing_counts

DAYS_BEFORE = 3
# a deadline long past is not announced any more (a cycle of earlier years, say)
PASSED_FOR = timedelta(days=30)


def tell(today: date | None = None) -> int:
    """Tell every agency with documents outstanding whose cycle's deadline is near or
    just past; how many agencies were told something new."""
    today = today or timezone.localdate()
    told = 0
    cycles = Cycle.objects.filter(
        document_deadline__gte=today - PASSED_FOR,
        document_deadline__lte=today + timedelta(days=DAYS_BEFORE),
    )
    for cycle in cycles.order_by("year"):
        deadline = cycle.document_deadline
        kind = Kind.DEADLINE_PASSED if deadline < today else Kind.DEADLINE_NEAR
        missing = missing_counts(cycle)
        audits = (
            cycle.audits.exclude(status=AuditStatus.FINALIZED)
            .select_related("agency")
            .order_by("serial")
        )
        owing = [audit for audit in audits if missing.get(audit.pk, 0)]
        keys = {audit.pk: f"documents-{kind}:{audit.pk}:{deadline.isoformat()}" for audit in owing}
        # one query for the day's re-run, where everyone was told already
        told_already = set(
            Notification.objects.filter(key__in=keys.values()).values_list("key", flat=True)
        )
        for audit in owing:
            count = missing[audit.pk]
            key = keys[audit.pk]
            if key in told_already:
                continue
            values = {"year": cycle.year, "count": count, "date": deadline.isoformat()}
            text = (
                _(
                    "%(year)s: the documents were due on %(date)s and %(count)s are still missing or returned; upload them now."
                )
                if kind == Kind.DEADLINE_PASSED
                else _(
                    "%(year)s: the documents are due on %(date)s and %(count)s are still missing or returned."
                )
            ) % values
            notify(
                kind=kind,
                key=key,
                text=text,
                link=reverse("documents", args=[cycle.year, audit.agency.code]),
                recipients=agency_staff(audit),
                audit=audit,
            )
            told += 1
    return told
