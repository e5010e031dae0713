"""Who may see what: the one place every view, export and download asks.

Office staff (auditors, managers, administrators) see every agency. Agency staff see their
own agency and nothing else; for anything of another agency the answer is 404, because even
the existence of another agency's audit is not theirs to know. Pages that only the office
uses (a cycle's overview of all agencies) answer 403 to agency staff.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from agencies.models import Audit, Cycle


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
