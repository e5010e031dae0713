import logging
import os
import stat

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role
from agencies.access import (
    can_edit_scores,
    can_review_documents,
    can_upload,
    get_audit_for_scoring,
    get_audit_for_user,
    get_cycle_for_office,
)
from agencies.models import Audit, AuditStatus
from checklist.models import Standard
from common.inputs import parse_id, parse_ids
from common.links import agency_url
from common.paging import paginate

from . import services
from .archive import evidence_entries, stream_zip
from .filetypes import ALLOWED_EXTENSIONS, RefusedFile
from .models import (
    DocumentRequest,
    DocumentStatus,
    EvidenceFile,
    Reminder,
    RequiredDocument,
    evidence_storage,
)

logger = logging.getLogger("portal.downloads")


def _document(audit: Audit, number: int) -> RequiredDocument:
    return get_object_or_404(RequiredDocument, cycle_id=audit.cycle_id, number=number)


def _page_context(request, audit: Audit) -> dict:
    user = request.user
    return {
        "audit": audit,
        "cycle": audit.cycle,
        "agency": audit.agency,
        "can_upload": can_upload(user, audit),
        "can_review": can_review_documents(user, audit),
        "accept": ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS),
        "max_mb": settings.EVIDENCE_MAX_UPLOAD_BYTES // (1024 * 1024),
        "max_bytes": settings.EVIDENCE_MAX_UPLOAD_BYTES,
        "statuses": DocumentStatus,
    }


@require_safe
@login_required
def documents(request: HttpRequest, year: int, code: str) -> HttpResponse:
    audit = get_audit_for_user(request.user, year, code)
    rows = services.document_rows(audit)
    context = _page_context(request, audit) | {"rows": rows}
    return render(request, "evidence/documents.html", context)


@require_safe
@login_required
def document_item(request: HttpRequest, year: int, code: str, number: int) -> HttpResponse:
    audit = get_audit_for_user(request.user, year, code)
    row = next((r for r in services.document_rows(audit) if r.document.number == number), None)
    if row is None:
        raise Http404
    context = _page_context(request, audit) | {"row": row}
    return render(request, "evidence/documents.html#item", context)


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@require_POST
@login_required
def upload(request: HttpRequest, year: int, code: str, number: int) -> HttpResponse:
    """Receive one or more files for a document (the page sends one file per request, so
    that each shows its own progress; a form without JavaScript sends them all at once)."""
    audit = get_audit_for_user(request.user, year, code)
    document = _document(audit, number)
    # A finalized audit answers with its reason (422) below; anyone else not allowed: 403.
    if not can_upload(request.user, audit) and audit.status != AuditStatus.FINALIZED:
        raise PermissionDenied
    files = request.FILES.getlist("files")
    if not files:
        error = _("Choose a file to upload.")
        if _wants_json(request):
            return JsonResponse({"error": error}, status=422)
        messages.error(request, error)
        return redirect("documents", year, code)
    stored, errors, shortened = [], [], []
    for upload_file in files:
        try:
            file = services.store_upload(
                audit=audit, document=document, upload=upload_file, by=request.user
            )
            stored.append(file)
            if len(upload_file.name) > services.MAX_NAME_LENGTH:
                shortened.append(file.original_name)
        except services.NotAllowed:
            raise PermissionDenied from None
        except (RefusedFile, services.DocumentError) as error:
            errors.append(str(error))
        finally:
            upload_file.close()
    if _wants_json(request):
        if errors:
            return JsonResponse({"error": " ".join(errors)}, status=422)
        file = stored[0]
        return JsonResponse(
            {
                "id": file.pk,
                "name": file.original_name,
                "size": file.size,
                "duplicate": file.duplicate_of_id is not None,
                "late": file.is_late,
            },
            status=201,
        )
    for error in errors:
        messages.error(request, error)
    if stored:
        messages.success(
            request,
            ngettext("%(n)s file uploaded.", "%(n)s files uploaded.", len(stored))
            % {"n": len(stored)},
        )
    for name in shortened:
        messages.info(
            request,
            _("The file name was longer than %(limit)s characters; it is kept as “%(name)s”.")
            % {"limit": services.MAX_NAME_LENGTH, "name": name},
        )
    return redirect("documents", year, code)


def _file_for(request, year, code, file_id, **only) -> tuple[Audit, EvidenceFile]:
    """A file of the audit (a document's or a rectification item's proof), if the user may
    see the audit."""
    audit = get_audit_for_user(request.user, year, code)
    file = get_object_or_404(
        EvidenceFile.objects.select_related("request__audit"), pk=file_id, audit=audit, **only
    )
    return audit, file


@require_safe
@login_required
def download(request: HttpRequest, year: int, code: str, file_id: int) -> HttpResponse:
    """A file as an attachment under its own name, after the permission check."""
    _audit, file = _file_for(request, year, code, file_id)
    prefix = settings.EVIDENCE_X_ACCEL_REDIRECT_PREFIX
    if prefix and _front_server_can_read(file):
        # nginx sends the file. The name travels in X-Evidence-Disposition, which nginx
        # turns into Content-Disposition only when it really sends the file: nginx keeps
        # an upstream Content-Disposition on its own error pages, and the browser would save
        # a 403 page as the user's PDF (docs/operations.md, "Production", the internal location).
        response = HttpResponse(content_type="application/octet-stream")
        response["X-Accel-Redirect"] = escape_uri_path(prefix.rstrip("/") + "/" + file.key)
        response["X-Evidence-Disposition"] = content_disposition_header(True, file.original_name)
    else:
        response = FileResponse(
            evidence_storage().open(file.key, "rb"),
            as_attachment=True,
            filename=file.original_name,
            content_type="application/octet-stream",
        )
        response["Content-Length"] = str(file.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _front_server_can_read(file: EvidenceFile) -> bool:
    """Whether the stored file is readable by the store's group (nginx's user is in it).
    A file stored before the modes changed, or copied in by hand, is sent by the portal
    itself (and logged), so nobody gets a 403 for it; `check --deploy` lists them."""
    try:
        path = evidence_storage().path(file.key)
        mode = os.stat(path).st_mode
    except (NotImplementedError, OSError):
        return True
    if mode & stat.S_IRGRP:
        return True
    logger.warning(
        "evidence file %s is not readable by its group; sent by the portal, not nginx "
        "(run manage.py check --deploy)",
        file.key,
    )
    return False


@require_POST
@login_required
def remove(request: HttpRequest, year: int, code: str, file_id: int) -> HttpResponse:
    # a proof file is removed from its rectification item's page
    _audit, file = _file_for(request, year, code, file_id, request__isnull=False)
    name = file.original_name
    try:
        services.remove_file(file=file, by=request.user)
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.DocumentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s” was removed.") % {"name": name})
    return redirect("documents", year, code)


@require_POST
@login_required
def review(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Accept ticked documents, or return one with a reason."""
    audit = get_audit_for_user(request.user, year, code)
    if not can_review_documents(request.user, audit):
        raise PermissionDenied
    try:
        if request.POST.get("action") == "return":
            number = request.POST.get("document", "")
            document = _document(audit, parse_id(number) or 0)
            services.return_document(
                audit=audit,
                document=document,
                by=request.user,
                reason=request.POST.get("reason", ""),
            )
            messages.success(
                request, _("Document %(n)s was returned to the agency.") % {"n": document.number}
            )
        else:
            numbers = parse_ids(request.POST.getlist("documents"))
            chosen = RequiredDocument.objects.filter(cycle_id=audit.cycle_id, number__in=numbers)
            if not numbers:
                messages.error(request, _("Tick the documents to accept."))
            else:
                accepted = services.accept_documents(audit=audit, documents=chosen, by=request.user)
                messages.success(
                    request,
                    ngettext("%(n)s document accepted.", "%(n)s documents accepted.", accepted)
                    % {"n": accepted},
                )
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.DocumentError as error:
        messages.error(request, str(error))
    return redirect("documents", year, code)


def _zip_response(files, filename: str) -> StreamingHttpResponse:
    files = files.select_related("request__audit__agency", "request__document").order_by(
        "request__audit__serial", "request__document__number", "uploaded_at", "id"
    )
    response = StreamingHttpResponse(
        stream_zip(evidence_entries(files.iterator())), content_type="application/zip"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def agency_zip(request: HttpRequest, year: int, code: str) -> HttpResponse:
    audit = get_audit_for_scoring(request.user, year, code)
    files = EvidenceFile.objects.filter(request__audit=audit)
    return _zip_response(files, f"{year}-{audit.agency.code}-{audit.agency.name}-稽核资料.zip")


@require_safe
@login_required
def cycle_zip(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_office(request.user, year)
    files = EvidenceFile.objects.filter(request__audit__cycle=cycle)
    return _zip_response(files, f"{year}-全部代办处-稽核资料.zip")


GRID_FILTERS = ("missing", "returned", "overdue")


def _grid_rows(cycle, wanted: str, search: str):
    """The roster, narrowed to agencies with missing, returned or overdue documents and to
    a search by code or name: in the database, so that only one page is ever loaded."""
    audits = cycle.audits.roster()
    if search:
        audits = audits.filter(
            Q(agency__code__icontains=search) | Q(agency__name__icontains=search)
        )
    if not wanted:
        return audits
    # An item without a row is 未提交, so "has a missing document" is "fewer answered rows
    # than documents".
    documents = RequiredDocument.objects.filter(cycle=cycle).count()
    audits = audits.annotate(
        answered=Count(
            "document_requests", filter=~Q(document_requests__status=DocumentStatus.MISSING)
        ),
        returned=Count(
            "document_requests", filter=Q(document_requests__status=DocumentStatus.RETURNED)
        ),
    )
    missing, returned = Q(answered__lt=documents), Q(returned__gt=0)
    if wanted == "missing":
        return audits.filter(missing)
    if wanted == "returned":
        return audits.filter(returned)
    if not services.is_overdue(Audit(cycle=cycle), DocumentStatus.MISSING):
        return audits.none()
    return audits.filter(missing | returned)


def _grid_counts(cycle, documents: int) -> dict[str, int]:
    """Items of the whole cycle per status, and overdue: one aggregate query and a count."""
    counts = dict.fromkeys(DocumentStatus.values, 0)
    counts.update(
        DocumentRequest.objects.filter(audit__cycle=cycle)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    answered = sum(n for status, n in counts.items() if status != DocumentStatus.MISSING)
    counts[DocumentStatus.MISSING] = cycle.audits.count() * documents - answered
    late = services.is_overdue(Audit(cycle=cycle), DocumentStatus.MISSING)
    counts["overdue"] = (
        counts[DocumentStatus.MISSING] + counts[DocumentStatus.RETURNED] if late else 0
    )
    return counts


@require_safe
@login_required
def grid(request: HttpRequest, year: int) -> HttpResponse:
    """Agencies × required documents with the status of each, for the office, a page at
    a time; the counts are the whole cycle's."""
    cycle = get_cycle_for_office(request.user, year)
    documents_list = list(RequiredDocument.objects.filter(cycle=cycle).order_by("number"))
    wanted = request.GET.get("show", "")
    wanted = wanted if wanted in GRID_FILTERS else ""
    search = request.GET.get("q", "").strip()[:100]
    paged = paginate(request, _grid_rows(cycle, wanted, search))
    audits = list(paged.page.object_list)
    statuses = {
        (audit_id, document_id): status
        for audit_id, document_id, status in DocumentRequest.objects.filter(
            audit__in=audits
        ).values_list("audit_id", "document_id", "status")
    }
    # The latest attempt per agency: when sent, its time; when not, why (shown in red).
    last_reminded = {}
    for audit_id, sent_at, error in (
        Reminder.objects.filter(audit__in=audits)
        .order_by("sent_at", "pk")
        .values_list("audit_id", "sent_at", "error")
    ):
        last_reminded[audit_id] = {"at": sent_at, "error": error}
    today = timezone.localdate()
    documents_url = agency_url("documents", cycle.year)
    # A page of 50 agencies has 500 cells of at most 80 kinds (document × status ×
    # overdue): each kind is made, HTML and all, once (issue 16: template cost).
    kinds = {}

    def cell(audit, document, status):
        overdue = services.is_overdue(audit, status, today)
        key = (document.pk, status, overdue)
        if key not in kinds:
            label = DocumentStatus(status).label
            title = f"{document.number}. {label}" + (f" · {_('Overdue')}" if overdue else "")
            kinds[key] = {
                "document": document,
                "status": status,
                "label": label,
                "overdue": overdue,
                "html": format_html(
                    '<td><span class="grid-cell doc-{}{}" title="{}">{}</span></td>',
                    status,
                    " overdue" if overdue else "",
                    title,
                    label,
                ),
            }
        return kinds[key]

    rows = []
    for audit in audits:
        cells = [
            cell(audit, document, statuses.get((audit.pk, document.pk), DocumentStatus.MISSING))
            for document in documents_list
        ]
        rows.append(
            {
                "audit": audit,
                "cells": cells,
                "reminded": last_reminded.get(audit.pk),
                "url": documents_url(audit.agency.code),
            }
        )
    counts = _grid_counts(cycle, len(documents_list))
    return render(
        request,
        "evidence/grid.html",
        {
            "cycle": cycle,
            "documents": documents_list,
            "rows": rows,
            "paged": paged,
            "search": search,
            "counts": counts,
            "status_counts": [(status, counts[status.value]) for status in DocumentStatus],
            "show": wanted,
            "statuses": DocumentStatus,
            "can_remind": request.user.role in (Role.MANAGER, Role.AUDITOR),
        },
    )


@require_POST
@login_required
def remind(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_office(request.user, year)
    if request.user.role not in (Role.MANAGER, Role.AUDITOR):
        raise PermissionDenied
    reminders = services.remind_agencies(cycle=cycle, by=request.user)
    if reminders.sent:
        messages.success(
            request,
            ngettext(
                "Reminder e-mailed to %(n)s agency.",
                "Reminders e-mailed to %(n)s agencies.",
                len(reminders.sent),
            )
            % {"n": len(reminders.sent)},
        )
    by_reason = {}
    for reminder in reminders.failed:
        by_reason.setdefault(reminder.error, []).append(reminder.audit.agency.name)
    for reason, names in by_reason.items():
        messages.error(
            request,
            ngettext(
                "The reminder to %(n)s agency was not sent (%(names)s): %(reason)s. "
                "It is recorded in the grid; try again later, or tell the administrator.",
                "The reminders to %(n)s agencies were not sent (%(names)s): %(reason)s. "
                "They are recorded in the grid; try again later, or tell the administrator.",
                len(names),
            )
            % {"n": len(names), "names": "、".join(names), "reason": reason},
        )
    if not reminders.sent and not reminders.failed:
        messages.info(
            request,
            _(
                "No reminder was sent: no agency with missing documents has staff with an e-mail address."
            ),
        )
    return redirect("document_grid", year)


@require_http_methods(["GET", "POST"])
@login_required
def link_evidence(
    request: HttpRequest, year: int, code: str, category: int, number: int
) -> HttpResponse:
    """The files cited for one standard on the scoring page: GET shows the agency's files to
    choose from (loaded when the auditor opens the list), POST saves the choice."""
    audit = get_audit_for_scoring(request.user, year, code)
    standard = get_object_or_404(
        Standard.objects.select_related("category"),
        category__cycle=audit.cycle,
        category__position=category,
        number=number,
    )
    can_edit = can_edit_scores(request.user, audit)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        ids = parse_ids(request.POST.getlist("files"))
        files = list(EvidenceFile.objects.filter(pk__in=ids).select_related("request"))
        try:
            services.link_files(audit=audit, standard=standard, files=files, by=request.user)
        except services.DocumentError as error:
            return HttpResponse(str(error), status=422)
    linked = list(
        EvidenceFile.objects.filter(
            standard_links__audit=audit, standard_links__standard=standard
        ).order_by("id")
    )
    agency_files = EvidenceFile.objects.filter(request__audit=audit).select_related(
        "request__document"
    )
    html = render_to_string(
        "checklist/scoring.html#evidence_editor",
        {
            "cycle": audit.cycle,
            "agency": audit.agency,
            "standard": standard,
            "key": str(standard.pk),
            "linked": linked,
            "linked_ids": {f.pk for f in linked},
            "agency_files": agency_files.order_by("request__document__number", "uploaded_at", "id"),
            "can_edit": can_edit,
            "saved": request.method == "POST",
            "oob": request.method == "POST",
        },
        request,
    )
    return HttpResponse(html)
