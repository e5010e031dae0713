from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.models import User
from audit_portal.access import get_audit_for_user, get_cycle_for_office

from .models import AuditStatus, Cycle


@require_safe
@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_office_staff:
        raise PermissionDenied
    cycles = Cycle.objects.annotate(agency_count=Count("audits")).order_by("-year")
    return render(request, "agencies/cycle_list.html", {"cycles": cycles})


@require_safe
@login_required
def cycle_overview(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_office(request.user, year)
    audits = cycle.audits.roster().prefetch_related(
        Prefetch("auditors", queryset=User.objects.order_by("username"))
    )
    status_counts = dict(cycle.audits.values_list("status").annotate(n=Count("id")).order_by())
    statuses = [(status, status_counts.get(status.value, 0)) for status in AuditStatus]
    return render(
        request,
        "agencies/cycle_overview.html",
        {"cycle": cycle, "audits": audits, "statuses": statuses},
    )


@require_safe
@login_required
def audit_detail(request: HttpRequest, year: int, code: str) -> HttpResponse:
    audit = get_audit_for_user(request.user, year, code)
    cycle = audit.cycle
    categories = cycle.categories.prefetch_related("standards")
    return render(
        request,
        "agencies/audit_detail.html",
        {
            "audit": audit,
            "cycle": cycle,
            "agency": audit.agency,
            "auditors": audit.auditors.order_by("username"),
            "categories": categories,
            "required_documents": cycle.required_documents.all(),
        },
    )
