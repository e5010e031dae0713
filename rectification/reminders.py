"""Reminding agencies of their rectification items by e-mail: the daily command
(``manage.py remind_rectification``, which also tells the agency in the portal and its
group robots) and a manager's button on the ledger."""

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Cycle
from common import mail
from notifications.models import Kind as Notice
from notifications.services import agency_staff, notify

from .models import AWAITING_AGENCY, ItemReminder, RectificationItem

Kind = ItemReminder.Kind


@dataclass
class Sent:
    """What a round of reminders did: the agencies reminded, and the ones whose e-mail
    failed with the reason (each item's reminder recorded either way)."""

    sent: list = field(default_factory=list)  # audits
    failed: list = field(default_factory=list)  # (audit, reason)


def due(cycle: Cycle, today: date, *, manual: bool) -> list[tuple[RectificationItem, str]]:
    """The items to remind of, each with the kind of reminder.

    By hand: every item the agency still owes an answer for. Daily: an item whose deadline
    is ``rectification_remind_days`` away or closer ("before"), or has passed ("overdue"),
    unless that reminder was already sent for this deadline.
    """
    items = (
        RectificationItem.objects.filter(
            audit__cycle=cycle, withdrawn=False, status__in=AWAITING_AGENCY
        )
        .select_related("audit__agency", "standard__category")
        .order_by("audit__serial", "standard__category__position", "standard__number", "id")
    )
    if manual:
        return [(item, Kind.MANUAL) for item in items]
    sent = set(
        ItemReminder.objects.filter(
            item__audit__cycle=cycle, error="", kind__in=[Kind.BEFORE, Kind.OVERDUE]
        ).values_list("item_id", "kind", "deadline")
    )
    chosen = []
    for item in items:
        if item.deadline < today:
            kind = Kind.OVERDUE
        elif cycle.rectification_remind_days and (
            (item.deadline - today).days <= cycle.rectification_remind_days
        ):
            kind = Kind.BEFORE
        else:
            continue
        if (item.pk, kind, item.deadline) not in sent:
            chosen.append((item, kind))
    return chosen


def _message(cycle, audit, lines, recipients, today) -> EmailMessage:
    link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "rectification", args=[cycle.year, audit.agency.code]
    )
    listed = []
    for item, _kind in lines:
        late = (today - item.deadline).days
        when = f"整改期限 {item.deadline.isoformat()}" + (f"，已逾期 {late} 天" if late > 0 else "")
        listed.append(f"  {item.standard.code} {item.finding[:60]}（{when}）")
    return EmailMessage(
        subject=f"【{settings.PORTAL_OFFICE_NAME}】{cycle.title}：请按期完成整改",
        body=(
            f"{audit.agency.name}：\n\n"
            f"在{cycle.title}中发现的以下问题尚未整改完毕，请按期填报整改措施并上传佐证材料：\n"
            + "\n".join(listed)
            + f"\n\n请登录稽核管理平台填报：\n{link}\n\n{settings.PORTAL_OFFICE_NAME}"
        ),
        to=recipients,
    )


def _tell(cycle: Cycle, lines) -> None:
    """The daily reminder in the agency's inbox and its group robots (the e-mail above is
    its e-mail): once for the same items and deadlines, however often the command runs."""
    audit = lines[0][0].audit
    overdue = [item for item, kind in lines if kind == Kind.OVERDUE]
    key = ",".join(f"{item.pk}@{item.deadline.isoformat()}" for item, _kind in lines)
    if overdue:
        kind = Notice.DEADLINE_PASSED
        text = _(
            "%(year)s: %(count)s rectification items are past their deadline (%(codes)s); answer them now."
        ) % {
            "year": cycle.year,
            "count": len(overdue),
            "codes": "、".join(item.standard.code for item in overdue),
        }
    else:
        kind = Notice.DEADLINE_NEAR
        first = min(item.deadline for item, _kind in lines)
        text = _("%(year)s: %(count)s rectification items are due by %(date)s (%(codes)s).") % {
            "year": cycle.year,
            "count": len(lines),
            "date": first.isoformat(),
            "codes": "、".join(item.standard.code for item, _kind in lines),
        }
    notify(
        kind=kind,
        key=f"{kind}:{audit.pk}:{hashlib.sha256(key.encode()).hexdigest()}",
        text=text,
        link=reverse("rectification", args=[cycle.year, audit.agency.code]),
        recipients=agency_staff(audit),
        audit=audit,
        email=False,
    )


def remind(*, cycle: Cycle, by=None, today: date | None = None, manual: bool = False) -> Sent:
    """E-mail every agency with items due (one message per agency, listing them) and record
    a reminder per item, sent or not. Agencies whose staff have no address are skipped."""
    from accounts.models import Role, User

    today = today or timezone.localdate()
    by_audit: dict[int, list] = {}
    for item, kind in due(cycle, today, manual=manual):
        by_audit.setdefault(item.audit_id, []).append((item, kind))
    addresses: dict[int, list[str]] = {}
    staff = User.objects.filter(
        role=Role.AGENCY_STAFF,
        is_active=True,
        agency_id__in={lines[0][0].audit.agency_id for lines in by_audit.values()},
    ).exclude(email="")
    for agency_id, email in staff.order_by("username").values_list("agency_id", "email"):
        addresses.setdefault(agency_id, []).append(email)

    outbox = []
    for lines in by_audit.values():
        audit = lines[0][0].audit
        recipients = addresses.get(audit.agency_id)
        if recipients:
            outbox.append(
                (audit, lines, recipients, _message(cycle, audit, lines, recipients, today))
            )
    if not manual:
        for lines in by_audit.values():
            _tell(cycle, lines)
    result = Sent()
    outcomes = mail.deliver([message for *_, message in outbox])
    for (audit, lines, recipients, _sent), error in zip(outbox, outcomes, strict=True):
        reason = mail.failure_reason(error) if error else ""
        ItemReminder.objects.bulk_create(
            ItemReminder(
                item=item,
                kind=kind,
                deadline=item.deadline,
                sent_by=by,
                recipients=", ".join(recipients),
                error=reason,
            )
            for item, kind in lines
        )
        if error:
            result.failed.append((audit, reason))
        else:
            result.sent.append(audit)
    return result
