"""Who may see what: the one place every view, export and download asks.

Office staff (auditors, managers, administrators) see every agency. Agency staff see their
own agency and nothing else; for anything of another agency the answer is 404, because even
the existence of another agency's audit is not theirs to know. Pages that only the office
uses (a cycle's overview of all agencies) answer 403 to agency staff.

Checks that read only the role are in ``accounts.access``; the security log's in
``security.access``.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Role

from .models import Audit, AuditStatus, Cycle

EDITABLE_STATUSES = (AuditStatus.NOT_STARTED, AuditStatus.IN_PROGRESS)


def get_cycle_for_office(user, year: int) -> Cycle:
    """A cycle's office-wide pages: 404 for an unknown year, 403 for agency staff."""
    cycle = get_object_or_404(Cycle, year=year)
    if not user.is_office_staff:
        raise PermissionDenied
    return cycle


def get_audit_for_user(user, year: int, code: str) -> Audit:
    """One agency's audit in a cycle, if the user may see it; otherwise 404."""
    audits = Audit.objects.visible_to(user).select_related("cycle", "agency")
    try:
        return audits.get(cycle__year=year, agency__code=code)
    except Audit.DoesNotExist:
        raise Http404 from None


def latest_cycle():
    return Cycle.objects.order_by("-year").first()


def can_edit_scores(user, audit: Audit, *, assigned: bool | None = None) -> bool:
    """Managers, and the auditors assigned to the agency, may score it while it is open.

    ``assigned`` saves a query when the caller already knows whether the user is one of the
    audit's auditors.
    """
    if audit.status not in EDITABLE_STATUSES:
        return False
    if user.is_manager:
        return True
    if assigned is None:
        assigned = audit.is_assigned_to(user)
    return user.role == Role.AUDITOR and assigned


def can_view_scores(user, audit: Audit) -> bool:
    """Office staff always; an agency's own staff once the audit is finalized, not before."""
    if user.is_office_staff:
        return True
    return user.agency_id == audit.agency_id and audit.status == AuditStatus.FINALIZED


def get_audit_for_scoring(user, year: int, code: str) -> Audit:
    """The scoring page: office staff only (agency staff never see draft scores)."""
    audit = get_audit_for_user(user, year, code)
    if not user.is_office_staff:
        raise PermissionDenied
    return audit


def can_upload(user, audit: Audit) -> bool:
    """The agency's own staff, its assigned auditors and managers, until it is finalized."""
    if audit.status == AuditStatus.FINALIZED:
        return False
    if user.is_agency_staff:
        return user.agency_id == audit.agency_id
    return user.is_manager or (user.role == Role.AUDITOR and audit.is_assigned_to(user))


def can_review_documents(user, audit: Audit) -> bool:
    """Managers and the agency's assigned auditors accept or return its documents."""
    if audit.status == AuditStatus.FINALIZED:
        return False
    return user.is_manager or (user.role == Role.AUDITOR and audit.is_assigned_to(user))


def can_answer_rectification(user, audit: Audit) -> bool:
    """The agency's own staff answer its rectification items (整改措施, proof)."""
    return user.is_agency_staff and user.agency_id == audit.agency_id


def can_verify_rectification(user, audit: Audit) -> bool:
    """Managers and the agency's assigned auditors close (销号) or return its items."""
    return user.is_manager or (user.role == Role.AUDITOR and audit.is_assigned_to(user))
