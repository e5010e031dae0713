"""稽核通知书: what a notice says, issuing it (numbered, rendered once, frozen with its
SHA-256), and the agency's receipt (签收)."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Audit, AuditEvent, AuditStatus, Cycle
from common import pdf
from common.documents import FrozenDocument
from evidence.models import RequiredDocument
from notifications.models import Kind
from notifications.services import agency_staff, notify

from .models import AuditNotice


class NoticeRefused(Exception):
    """The notice cannot be issued or signed for; the message says why, in the reader's words."""


@dataclass(frozen=True)
class NoticeTerms:
    """What the manager states in a notice besides what the portal knows (the agency, the
    team, the documents): the audit period, whom to call, what to prepare."""

    audit_period: str
    contact_name: str
    contact_phone: str
    preparation: str

    @classmethod
    def from_cycle(cls, cycle: Cycle) -> "NoticeTerms":
        return cls(
            audit_period=default_audit_period(cycle),
            contact_name=cycle.notice_contact,
            contact_phone=cycle.notice_phone,
            preparation=cycle.notice_preparation,
        )


def default_audit_period(cycle: Cycle) -> str:
    return f"{cycle.year}年1月1日至{cycle.year}年12月31日"


def _team(audit: Audit):
    """(leader, members): the leader only while he or she is still assigned."""
    auditors = list(audit.auditors.order_by("username"))
    leader = next((a for a in auditors if a.pk == audit.team_leader_id), None)
    return leader, [a for a in auditors if a is not leader]


def notice_data(audit: Audit, terms: NoticeTerms, *, number: str, issued_on: date) -> dict:
    """Everything the notice shows."""
    cycle = audit.cycle
    leader, members = _team(audit)
    return {
        "office": settings.PORTAL_OFFICE_NAME,
        "number": number,
        "cycle": cycle,
        "agency": audit.agency,
        "basis": cycle.notice_basis,
        "terms": terms,
        "onsite_start": audit.onsite_start,
        "onsite_end": audit.onsite_end,
        "leader": leader.display_name if leader else "",
        "members": [m.display_name for m in members],
        "documents": list(
            RequiredDocument.objects.filter(cycle=cycle)
            .order_by("number")
            .values("number", "title", "is_previous_report")
        ),
        "deadline": cycle.document_deadline,
        "issued_on": issued_on,
    }


def notice_pdf(data: dict) -> bytes:
    return pdf.render(render_to_string("procedure/notice_pdf.html", data))


def latest_notice(audit: Audit) -> AuditNotice | None:
    return AuditNotice.objects.filter(audit=audit).defer("content").order_by("-version").first()


@transaction.atomic
def issue_notice(*, audit: Audit, by, terms: NoticeTerms) -> AuditNotice:
    """A manager issues (or reissues) the audit's notice: numbered, rendered once, kept.

    The first notice of an audit takes the cycle's next running number; a reissue keeps it
    and is a new version, which the agency signs for again. Once the audit is finalized
    there is nothing left to announce."""
    if not by.is_manager:
        raise NoticeRefused(_("Only a manager issues audit notices."))
    # one notice at a time per cycle: the running number is the cycle's
    cycle = Cycle.objects.select_for_update().get(pk=audit.cycle_id)
    audit = Audit.objects.select_related("cycle", "agency").get(pk=audit.pk)
    if audit.status == AuditStatus.FINALIZED:
        raise NoticeRefused(
            _("%(agency)s's audit is already finalized: there is nothing left to announce.")
            % {"agency": audit.agency.name}
        )
    if not audit.auditors.exists():
        raise NoticeRefused(
            _(
                "No auditor is assigned to %(agency)s yet: assign the team first, since the "
                "notice names it."
            )
            % {"agency": audit.agency.name}
        )
    previous = latest_notice(audit)
    if previous is not None:
        sequence, version = previous.sequence, previous.version + 1
    else:
        last = AuditNotice.objects.filter(audit__cycle=cycle).aggregate(n=Max("sequence"))["n"]
        sequence, version = (last or 0) + 1, 1
    number = cycle.notice_number(audit.agency, sequence, version)
    content = notice_pdf(notice_data(audit, terms, number=number, issued_on=timezone.localdate()))
    notice = AuditNotice.objects.create(
        audit=audit,
        version=version,
        sequence=sequence,
        number=number,
        **FrozenDocument.frozen(content),
        issued_by=by,
    )
    AuditEvent.objects.create(
        audit=audit, action=AuditEvent.Action.NOTICE_ISSUED, actor=by, comment=number
    )
    notify(
        kind=Kind.NOTICE_ISSUED,
        key=f"notice_issued:{notice.pk}",
        text=_("%(year)s: audit notice %(number)s was issued to you; please sign for it.")
        % {"year": audit.cycle.year, "number": number},
        link=reverse("audit_notice", args=[audit.cycle.year, audit.agency.code]),
        recipients=agency_staff(audit),
        audit=audit,
    )
    # the next notice starts from what this one said
    Cycle.objects.filter(pk=cycle.pk).update(
        notice_contact=terms.contact_name, notice_phone=terms.contact_phone
    )
    return notice


@transaction.atomic
def sign_for_notice(*, audit: Audit, by) -> AuditNotice:
    """The agency's own staff sign for the newest notice (签收): who and when, once."""
    if not (by.is_agency_staff and by.agency_id == audit.agency_id):
        raise NoticeRefused(_("Only the agency's own staff sign for its audit notice."))
    notice = (
        AuditNotice.objects.select_for_update()
        .defer("content")
        .filter(audit=audit)
        .order_by("-version")
        .first()
    )
    if notice is None:
        raise NoticeRefused(_("No audit notice has been issued to your agency yet."))
    if notice.received_at is not None:
        raise NoticeRefused(
            _("Notice %(number)s was already signed for on %(when)s.")
            % {
                "number": notice.number,
                "when": timezone.localtime(notice.received_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    notice.received_at, notice.received_by = timezone.now(), by
    notice.save(update_fields=["received_at", "received_by"])
    AuditEvent.objects.create(
        audit=audit, action=AuditEvent.Action.NOTICE_RECEIVED, actor=by, comment=notice.number
    )
    return notice


def issue_notices(*, cycle: Cycle, by, terms: NoticeTerms, audit_ids=None) -> dict:
    """Issue the notice of every audit of the cycle that has none yet (of ``audit_ids``
    only, when given), one transaction each, so a stop half-way loses nothing: run again,
    it goes on where it stopped. Returns {"issued": [...], "skipped": [(audit, reason)]}."""
    audits = (
        Audit.objects.filter(cycle=cycle)
        .exclude(status=AuditStatus.FINALIZED)
        .exclude(notices__isnull=False)
        .select_related("agency")
        .order_by("serial")
    )
    if audit_ids is not None:
        audits = audits.filter(pk__in=audit_ids)
    issued, skipped = [], []
    for audit in audits.iterator(chunk_size=200):
        try:
            issued.append(issue_notice(audit=audit, by=by, terms=terms))
        except NoticeRefused as refusal:
            skipped.append((audit, str(refusal)))
    return {"issued": issued, "skipped": skipped}


def leader_choices(audit: Audit):
    """The audit's assigned auditors, who may lead its team."""
    return get_user_model().objects.filter(assigned_audits=audit).order_by("username")
