from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agencies.access import get_audit_for_user, get_cycle_for_office
from agencies.models import Audit
from common.paging import paginate

from . import services, tasks
from .models import ArchivePackage
from .storage import archive_storage


def _require_manager(user) -> None:
    if not user.is_manager:
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@login_required
def archive_page(request: HttpRequest, year: int) -> HttpResponse:
    """The cycle's 稽核档案: every package with its 档号, size, date, retention and 四性检测;
    a manager archives every agency that may be archived, or one by its code."""
    cycle = get_cycle_for_office(request.user, year)
    if request.method == "POST":
        _require_manager(request.user)
        code = request.POST.get("code", "").strip()
        if code:
            audit = (
                Audit.objects.filter(cycle=cycle, agency__code=code)
                .select_related("agency", "cycle")
                .first()
            )
            if audit is None:
                messages.error(
                    request, _("No agency with code %(code)s in this cycle.") % {"code": code[:20]}
                )
                return redirect("archive_page", year)
            queued, refused = services.request(audits=[audit], by=request.user)
            for refused_audit, reason in refused:
                messages.error(
                    request,
                    _("%(agency)s cannot be archived: %(reason)s.")
                    % {"agency": refused_audit.agency.name, "reason": reason},
                )
        else:
            queued = services.request_cycle(cycle=cycle, by=request.user)
        if queued:
            tasks.build_packages.enqueue([archive.pk for archive in queued])
            messages.success(
                request,
                ngettext(
                    "%(count)d package is being built; this page shows it when it is stored.",
                    "%(count)d packages are being built; this page shows each when it is stored.",
                    len(queued),
                )
                % {"count": len(queued)},
            )
        elif not code:
            messages.info(request, _("No audit of this cycle may be archived now."))
        return redirect("archive_page", year)
    packages = (
        ArchivePackage.objects.filter(audit__cycle=cycle)
        .select_related("audit__agency", "requested_by", "revoked_by")
        .order_by("audit__serial", "-requested_at")
    )
    counts = packages.aggregate(
        done=Count("pk", filter=Q(status=ArchivePackage.Status.DONE)),
        waiting=Count(
            "pk",
            filter=Q(status__in=[ArchivePackage.Status.QUEUED, ArchivePackage.Status.BUILDING]),
        ),
        failed=Count("pk", filter=Q(status=ArchivePackage.Status.FAILED)),
    )
    paged = paginate(request, packages)
    context = {
        "cycle": cycle,
        "paged": paged,
        "packages": list(paged.page.object_list),
        "counts": counts,
        "eligible": services.eligible(cycle).count(),
        "is_manager": request.user.is_manager,
    }
    return render(request, "archives/archive_page.html", context)


def _package(cycle, pk: int) -> ArchivePackage:
    return get_object_or_404(
        ArchivePackage.objects.select_related("audit__agency"), pk=pk, audit__cycle=cycle
    )


@require_POST
@login_required
def archive_check(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """四性检测 of a stored package, again."""
    cycle = get_cycle_for_office(request.user, year)
    archive = _package(cycle, pk)
    if not archive.file_name:
        messages.error(request, _("This package has no stored file to check."))
        return redirect("archive_page", year)
    archive = services.check(archive)
    if archive.check_passed:
        messages.success(request, _("%(number)s passed the 四性检测.") % {"number": archive.number})
    else:
        messages.error(
            request,
            _("%(number)s failed the 四性检测: see its report.") % {"number": archive.number},
        )
    return redirect("archive_page", year)


@require_POST
@login_required
def archive_revoke(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """撤销归档: a manager lifts the lock on the audit, giving the reason."""
    cycle = get_cycle_for_office(request.user, year)
    _require_manager(request.user)
    archive = _package(cycle, pk)
    try:
        services.revoke(archive=archive, by=request.user, reason=request.POST.get("reason", ""))
    except services.ArchiveRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _(
                "Done: %(number)s is revoked; %(agency)s's audit may change again and be "
                "archived anew."
            )
            % {"number": archive.number, "agency": archive.audit.agency.name},
        )
    return redirect("archive_page", year)


@require_safe
@login_required
def archive_zip(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The agency's archive package as stored (office roles only; every download is in the
    security log)."""
    audit = get_audit_for_user(request.user, year, code)
    if not request.user.is_office_staff:
        raise PermissionDenied
    archive = (
        audit.archive_packages.filter(status=ArchivePackage.Status.DONE)
        .order_by("-finished_at")
        .first()
    )
    if archive is None:
        raise Http404
    try:
        stream = archive_storage().open(archive.file_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        stream, as_attachment=True, filename=f"{archive.number}.zip", content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["X-Archive-SHA256"] = archive.sha256
    return response
