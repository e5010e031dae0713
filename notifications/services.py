"""Tell the people an event concerns: ``notify`` records it once and puts it in each
recipient's inbox, in the same transaction as the event itself (an event that is rolled
back tells nobody; one that is saved is never lost)."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User
from agencies.models import Audit

from . import outbox
from .models import Delivery, Kind, Notification


@transaction.atomic
def notify(
    *,
    kind: Kind,
    key: str,
    text: str,
    link: str,
    recipients: Iterable,
    audit=None,
    email: bool = True,
):
    """Record the event named ``key`` once, put it in the inbox of ``recipients`` (users,
    active ones only; the person who caused it is left out by the callers' recipient lists)
    and queue it for their e-mail (``email=False``: the event sends its own) and their
    group robots. The same key again changes nothing: returns the notification either way."""
    notification, created = Notification.objects.get_or_create(
        key=key[:200],
        defaults={"kind": kind, "text": text[:500], "link": link[:300], "audit": audit},
    )
    if created:
        people = {u.pk: u for u in recipients if u.is_active}
        Delivery.objects.bulk_create(
            Delivery(notification=notification, recipient_id=pk) for pk in sorted(people)
        )
        outbox.queue(notification, [people[pk] for pk in sorted(people)], email=email)
    return notification


def agency_staff(audit: Audit, *, besides=None) -> list[User]:
    """The audited agency's staff accounts (who upload, answer and sign for it)."""
    staff = User.objects.filter(role=Role.AGENCY_STAFF, agency_id=audit.agency_id, is_active=True)
    if besides is not None:
        staff = staff.exclude(pk=besides.pk)
    return list(staff)


def audit_team(audit: Audit, *, besides=None) -> list[User]:
    """The auditors assigned to the audit and the office's managers."""
    team = User.objects.filter(
        Q(pk__in=audit.auditors.values("pk")) | Q(role=Role.MANAGER), is_active=True
    )
    if besides is not None:
        team = team.exclude(pk=besides.pk)
    return list(team)


def unread_count(user) -> int:
    return Delivery.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, ids=None) -> int:
    """Mark the person's own notifications read (``ids``: these only); how many changed."""
    unread = Delivery.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
