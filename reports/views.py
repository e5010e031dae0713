from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.access import require_manager
from agencies.access import get_audit_for_scoring, get_audit_for_user, get_cycle_for_office
from agencies.models import AuditStatus
from checklist.services import ScoringError
from common.inputs import parse_id
from rectification import ledger
from security.events import audit_target, record
from security.models import Kind

from . import data, excel, exports, pdf, services, tasks
from .models import IssuedReport, RectificationReport, ReportBundle
from .storage import bundle_storage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(
    content: bytes, filename: str, content_type: str, *, inline: bool = False
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def finalize(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """A manager finalizes an audit under review; its report is issued in the same step."""
    audit = get_audit_for_scoring(request.user, year, code)
    require_manager(request.user)
    try:
        report = services.finalize_and_issue(audit=audit, by=request.user)
    except ScoringError as error:
        messages.error(request, str(error))
    else:
        record(Kind.FINALIZE, request=request, target=f"{audit_target(audit)} · {report.number}")
        messages.success(
            request,
            _("Done: the audit is now %(status)s and report %(number)s is issued.")
            % {"status": AuditStatus.FINALIZED.label, "number": report.number},
        )
    return redirect("audit_detail", year, code)


@require_POST
@login_required
def draft_send(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """A manager sends the 征求意见稿 (the report as it stands) to the agency for its reply."""
    audit = get_audit_for_scoring(request.user, year, code)
    require_manager(request.user)
    try:
        draft = services.send_draft(audit=audit, by=request.user)
    except ScoringError as error:
        messages.error(request, str(error))
        return redirect("audit_detail", year, code)
    messages.success(
        request,
        _(
            "Done: draft for comments %(number)s is sent to %(agency)s, who reply by %(due)s "
            "(no reply by then is taken as no objection)."
        )
        % {"number": draft.number, "agency": audit.agency.name, "due": draft.reply_due.isoformat()},
    )
    return redirect("draft_report", year, code)


@require_safe
@login_required
def report_pdf(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The issued report once finalized (the very bytes issued), a draft before.

    Agency staff read their own agency's issued report only; managers may ask for an
    earlier version with ?version=N.
    """
    audit = get_audit_for_user(request.user, year, code)
    name = f"{year}-{audit.agency.code}-{audit.agency.name}-稽核报告"
    issued = None
    if audit.status == AuditStatus.FINALIZED or request.GET.get("version"):
        reports = IssuedReport.objects.filter(audit=audit)
        version = request.GET.get("version", "")
        if version:
            if not request.user.is_manager:
                raise PermissionDenied
            if parse_id(version) is None:
                raise Http404
            issued = get_object_or_404(reports, version=parse_id(version))
        else:
            issued = reports.order_by("-version").first()
    if issued is not None:
        response = _file(
            bytes(issued.content), f"{name}-{issued.number}.pdf", "application/pdf", inline=True
        )
        response["X-Report-SHA256"] = issued.sha256
        return response
    if not request.user.is_office_staff:
        raise PermissionDenied
    content = pdf.agency_report_pdf(data.agency_report(audit))
    return _file(content, f"{name}-草稿.pdf", "application/pdf", inline=True)


@require_safe
@login_required
def scoring_form_pdf(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """稽核评分表 to print for work on paper: blank, or with the current scores (?filled=1);
    office staff only, since it may carry draft scores."""
    audit = get_audit_for_scoring(request.user, year, code)
    filled = request.GET.get("filled") == "1"
    content = pdf.scoring_form_pdf(data.scoring_form(audit, filled=filled))
    kind = "稽核评分表" if filled else "稽核评分表-空白"
    return _file(
        content,
        f"{year}-{audit.agency.code}-{audit.agency.name}-{kind}.pdf",
        "application/pdf",
        inline=True,
    )


@require_safe
@login_required
def self_assessment_pdf(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """自查自评表: the agency's self-assessment as it stands, for its staff and the office."""
    audit = get_audit_for_user(request.user, year, code)
    content = pdf.scoring_form_pdf(data.scoring_form(audit, self_assessment=True))
    return _file(
        content,
        f"{year}-{audit.agency.code}-{audit.agency.name}-自查自评表.pdf",
        "application/pdf",
        inline=True,
    )


@require_safe
@login_required
def rectification_pdf(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """整改情况报告: the issued PDF (the very bytes issued) once there is one, a progress
    report before; for the office and the agency's own staff."""
    audit = get_audit_for_user(request.user, year, code)
    name = f"{year}-{audit.agency.code}-{audit.agency.name}-整改情况报告"
    issued = RectificationReport.objects.filter(audit=audit).order_by("-version").first()
    if issued is not None:
        response = _file(
            bytes(issued.content), f"{name}-{issued.number}.pdf", "application/pdf", inline=True
        )
        response["X-Report-SHA256"] = issued.sha256
        return response
    if audit.status != AuditStatus.FINALIZED and not request.user.is_office_staff:
        raise PermissionDenied
    content = pdf.rectification_report_pdf(data.rectification_report(audit))
    return _file(content, f"{name}-草稿.pdf", "application/pdf", inline=True)


@require_POST
@login_required
def rectification_report_issue(request: HttpRequest, year: int, code: str) -> HttpResponse:
    audit = get_audit_for_user(request.user, year, code)
    require_manager(request.user)
    try:
        report = services.issue_rectification_report(audit=audit, by=request.user)
    except services.RectificationReportRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The rectification report %(number)s was issued.") % {"number": report.number},
        )
    return redirect("rectification", year, code)


def _cycle_export(request, cycle, kind, build_here) -> HttpResponse:
    """The export at once for a cycle of the office's size; for a larger one, the page of
    the task worker's build (reports.exports)."""
    if exports.in_background(cycle):
        bundle = tasks.start(cycle, kind, request.user)
        return redirect("report_bundle", cycle.year, bundle.pk)
    export = exports.EXPORTS[kind]
    return _file(
        build_here(), export.file_name(cycle.year), export.content_type, inline=export.inline
    )


@require_safe
@login_required
def circular_pdf(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_office(request.user, year)
    return _cycle_export(
        request,
        cycle,
        ReportBundle.Kind.CIRCULAR_PDF,
        lambda: pdf.circular_pdf(data.circular(cycle)),
    )


@require_safe
@login_required
def circular_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_office(request.user, year)
    return _cycle_export(
        request,
        cycle,
        ReportBundle.Kind.CIRCULAR_XLSX,
        lambda: excel.circular_xlsx(data.circular(cycle)),
    )


@require_safe
@login_required
def scores_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_office(request.user, year)
    return _cycle_export(
        request,
        cycle,
        ReportBundle.Kind.SCORES_XLSX,
        lambda: excel.score_matrix_xlsx(data.score_matrix(cycle)),
    )


@require_safe
@login_required
def rectification_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    """整改台账 as Excel, with the filters the ledger page was showing."""
    cycle = get_cycle_for_office(request.user, year)
    filters = ledger.LedgerFilter(request.GET, cycle=cycle)
    items = filters.apply(ledger.ledger_items(cycle), timezone.localdate())
    content = excel.rectification_ledger_xlsx(ledger.ledger_rows(items), f"{year}年度整改台账")
    return _file(content, f"{year}年度整改台账.xlsx", XLSX)


@require_POST
@login_required
def bundle_start(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_office(request.user, year)
    require_manager(request.user)
    bundle = tasks.start(cycle, ReportBundle.Kind.REPORTS_ZIP, request.user)
    return redirect("report_bundle", year, bundle.pk)


def _bundle(request, year, bundle_id) -> ReportBundle:
    """A cycle export the user may follow: the ZIP of all reports is the managers'; the
    score matrix and the circular are every office member's, as their downloads are."""
    cycle = get_cycle_for_office(request.user, year)
    bundle = get_object_or_404(ReportBundle, pk=bundle_id, cycle=cycle)
    if bundle.kind == ReportBundle.Kind.REPORTS_ZIP:
        require_manager(request.user)
    return bundle


@require_safe
@login_required
def bundle_status(request: HttpRequest, year: int, bundle_id: int) -> HttpResponse:
    bundle = _bundle(request, year, bundle_id)
    template = "reports/bundle.html#progress" if request.htmx else "reports/bundle.html"
    rebuild_url = reverse(exports.EXPORTS[bundle.kind].url_name, args=[year])
    return render(
        request, template, {"bundle": bundle, "cycle": bundle.cycle, "rebuild_url": rebuild_url}
    )


@require_safe
@login_required
def bundle_download(request: HttpRequest, year: int, bundle_id: int) -> HttpResponse:
    bundle = _bundle(request, year, bundle_id)
    export = exports.EXPORTS[bundle.kind]
    if bundle.status == ReportBundle.Status.DONE and bundle.file_name:
        try:
            stream = bundle_storage().open(bundle.file_name, "rb")  # FileResponse closes it
        except (FileNotFoundError, OSError):
            # deleted by hand, or a database restored without the bundles folder
            ReportBundle.objects.filter(pk=bundle.pk).update(
                status=ReportBundle.Status.EXPIRED, file_name=""
            )
        else:
            response = FileResponse(
                stream,
                as_attachment=not export.inline,
                filename=export.file_name(year),
                content_type=export.content_type,
            )
            response["Cache-Control"] = "private, no-store"
            return response
    if bundle.status in (ReportBundle.Status.DONE, ReportBundle.Status.EXPIRED):
        messages.warning(
            request,
            _("This ZIP has been deleted after its retention period. Build a new one below.")
            if bundle.kind == ReportBundle.Kind.REPORTS_ZIP
            else _("This file has been deleted after its retention period. Build a new one below."),
        )
        return redirect("report_bundle", year, bundle.pk)
    raise Http404
