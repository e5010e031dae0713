from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.access import can_manage_rectification
from agencies.access import (
    can_answer_rectification,
    can_verify_rectification,
    get_audit_for_user,
    get_cycle_for_office,
)
from agencies.models import Audit
from common.inputs import parse_id, parse_ids
from common.paging import paginate
from evidence.filetypes import ALLOWED_EXTENSIONS, RefusedFile
from evidence.models import EvidenceFile

from . import ledger, reminders, services
from .forms import AnswerForm, DeadlineForm, ExtensionForm
from .models import ExtensionRequest, ExtensionStatus, ItemStatus, RectificationItem


def _item(audit: Audit, pk: int) -> RectificationItem:
    try:
        return RectificationItem.objects.select_related("standard__category", "closed_by").get(
            audit=audit, pk=pk
        )
    except RectificationItem.DoesNotExist:
        raise Http404 from None


def _roles(user, audit: Audit) -> dict:
    return {
        "can_answer": can_answer_rectification(user, audit),
        "can_verify": can_verify_rectification(user, audit),
        "can_manage": can_manage_rectification(user),
    }


@require_safe
@login_required
def items(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """One agency's rectification items: what each asks, its deadline and where it stands."""
    audit = get_audit_for_user(request.user, year, code)
    rows = list(audit.rectification_items.in_order().select_related("closed_by"))
    waiting = set(
        ExtensionRequest.objects.filter(
            item__audit=audit, status=ExtensionStatus.PENDING
        ).values_list("item_id", flat=True)
    )
    today = timezone.localdate()
    context = {
        "audit": audit,
        "cycle": audit.cycle,
        "agency": audit.agency,
        "rows": [(item, item.is_overdue(today), item.pk in waiting) for item in rows],
        "progress": ledger.progress(audit, today),
        "has_submitted": any(item.status == ItemStatus.SUBMITTED for item in rows),
        "has_open": any(item.status != ItemStatus.CLOSED for item in rows),
        "today": today,
        # reports.RectificationReport through its reverse name (reports imports this app)
        "reports": audit.rectification_reports.defer("content").order_by("-version"),
        "all_closed": bool(rows) and all(item.status == ItemStatus.CLOSED for item in rows),
        **_roles(request.user, audit),
    }
    return render(request, "rectification/items.html", context)


def _item_page(
    request, audit, item, *, form=None, extension_form=None, status=200, error=None
) -> HttpResponse:
    if form is None:
        form = AnswerForm(
            initial={
                "measures": item.measures,
                "responsible": item.responsible,
                "completed_on": item.completed_on,
                "version": item.version,
            }
        )
    context = {
        "audit": audit,
        "cycle": audit.cycle,
        "agency": audit.agency,
        "item": item,
        "overdue": item.is_overdue(),
        "form": form,
        "error": error,
        "events": item.events.select_related("actor"),
        "reminders": item.reminders.select_related("sent_by"),
        "proofs": [
            proof.file
            for proof in item.proofs.select_related("file__uploaded_by").order_by(
                "file__uploaded_at", "file_id"
            )
        ],
        "extensions": item.extension_requests.select_related("requested_by", "decided_by"),
        "extension_form": extension_form or ExtensionForm(),
        "accept": ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS),
        "max_mb": settings.EVIDENCE_MAX_UPLOAD_BYTES // (1024 * 1024),
        "today": timezone.localdate(),
        **_roles(request.user, audit),
    }
    return render(request, "rectification/item.html", context, status=status)


@require_safe
@login_required
def item(request: HttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    audit = get_audit_for_user(request.user, year, code)
    return _item_page(request, audit, _item(audit, pk))


def _version(request) -> int:
    """The version the page was loaded with; a missing or garbled one counts as stale."""
    return parse_id(request.POST.get("version", "")) or 0


@require_POST
@login_required
def close_carried(request: HttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    """Close a problem of last cycle from this cycle's scoring page (上年问题, 核实后销号)."""
    audit = get_audit_for_user(request.user, year, code)
    if audit.cycle.previous_id is None:
        raise Http404
    item = get_object_or_404(
        RectificationItem,
        pk=pk,
        audit__cycle_id=audit.cycle.previous_id,
        audit__agency_id=audit.agency_id,
    )
    try:
        services.close_carried_item(
            item=item,
            audit=audit,
            by=request.user,
            note=request.POST.get("note", ""),
            expected_version=_version(request),
        )
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RectificationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Last year's problem under %(code)s is closed (销号); your note is in its record.")
            % {"code": item.standard.code},
        )
    return redirect(reverse("scoring", args=[year, code]) + f"#carried-{item.pk}")


@require_POST
@login_required
def answer(request: HttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    """Save the agency's answer as a draft, or submit it for verification."""
    audit = get_audit_for_user(request.user, year, code)
    item = _item(audit, pk)
    if not can_answer_rectification(request.user, audit):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    submit = request.POST.get("action") == "submit"
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
        return _item_page(request, audit, item, form=form, status=422, error=error)
    data = form.cleaned_data
    try:
        services.answer_item(
            item=item,
            by=request.user,
            answer=services.Answer(data["measures"], data["responsible"], data["completed_on"]),
            expected_version=data["version"],
            submit=submit,
        )
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.StalePage as stale:
        # what was typed stays on the page, to be saved over the current version
        data = request.POST.copy()
        data["version"] = str(stale.current.version)
        form = AnswerForm(data)
        return _item_page(request, audit, stale.current, form=form, status=409, error=str(stale))
    except services.RectificationError as error:
        return _item_page(request, audit, item, form=form, status=422, error=str(error))
    if submit:
        messages.success(request, _("Your answer was submitted; the office will verify it."))
    else:
        messages.success(request, _("Your answer was saved. Submit it when it is complete."))
    return redirect("rectification_item", year, code, pk)


def _step(request, year, code, pk, step, success: str, **kwargs) -> HttpResponse:
    audit = get_audit_for_user(request.user, year, code)
    item = _item(audit, pk)
    try:
        step(item=item, by=request.user, expected_version=_version(request), **kwargs)
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RectificationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("rectification_item", year, code, pk)


@require_POST
@login_required
def return_answer(request: HttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    return _step(
        request,
        year,
        code,
        pk,
        services.return_item,
        _("The answer was returned to the agency with your reason."),
        reason=request.POST.get("reason", ""),
    )


@require_POST
@login_required
def reopen(request: HttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    return _step(
        request,
        year,
        code,
        pk,
        services.reopen_item,
        _("The item was reopened and returned to the agency with your reason."),
        reason=request.POST.get("reason", ""),
    )


@require_POST
@login_required
def batch(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The ticked items (or one item's page): close them (销号), or move their deadline."""
    audit = get_audit_for_user(request.user, year, code)
    ids = parse_ids(request.POST.getlist("items"))
    try:
        if request.POST.get("action") == "deadline":
            _change_deadlines(request, audit, ids)
        else:
            _close(request, audit, ids)
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RectificationError as error:
        messages.error(request, str(error))
    back = parse_id(request.POST.get("back", ""))
    if back and back in ids:
        return redirect("rectification_item", year, code, back)
    return redirect("rectification", year, code)


def _close(request, audit, ids) -> None:
    if not can_verify_rectification(request.user, audit):
        raise PermissionDenied
    closed = services.close_items(audit=audit, items=ids, by=request.user)
    messages.success(
        request,
        ngettext("%(n)s item closed (销号).", "%(n)s items closed (销号).", len(closed))
        % {"n": len(closed)},
    )


def _change_deadlines(request, audit, ids) -> None:
    if not can_manage_rectification(request.user):
        raise PermissionDenied
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        raise services.RectificationError(
            " ".join(error for errors in form.errors.values() for error in errors)
        )
    changed = services.change_deadlines(
        audit=audit,
        items=ids,
        by=request.user,
        deadline=form.cleaned_data["deadline"],
        reason=form.cleaned_data["reason"],
    )
    messages.success(
        request,
        ngettext(
            "The deadline of %(n)s item is now %(date)s.",
            "The deadline of %(n)s items is now %(date)s.",
            len(changed),
        )
        % {"n": len(changed), "date": form.cleaned_data["deadline"].isoformat()},
    )


@require_POST
@login_required
def add_proof(request: HttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    """Attach proof files to the agency's answer (the evidence upload pipeline)."""
    audit = get_audit_for_user(request.user, year, code)
    item = _item(audit, pk)
    if not can_answer_rectification(request.user, audit):
        raise PermissionDenied
    files = request.FILES.getlist("files")
    if not files:
        messages.error(request, _("Choose a file to upload."))
    stored = 0
    for upload in files:
        try:
            services.add_proof(item=item, upload=upload, by=request.user)
            stored += 1
        except services.NotAllowed:
            raise PermissionDenied from None
        except (RefusedFile, services.RectificationError) as error:
            messages.error(request, str(error))
        finally:
            upload.close()
    if stored:
        messages.success(
            request,
            ngettext("%(n)s file uploaded.", "%(n)s files uploaded.", stored) % {"n": stored},
        )
    return redirect("rectification_item", year, code, pk)


@require_POST
@login_required
def remove_proof(request: HttpRequest, year: int, code: str, pk: int, file_id: int) -> HttpResponse:
    audit = get_audit_for_user(request.user, year, code)
    item = _item(audit, pk)
    try:
        file = EvidenceFile.objects.get(pk=file_id, proof__item=item)
    except EvidenceFile.DoesNotExist:
        raise Http404 from None
    try:
        services.remove_proof(item=item, file=file, by=request.user)
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RectificationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s” was removed.") % {"name": file.original_name})
    return redirect("rectification_item", year, code, pk)


@require_POST
@login_required
def ask_for_more_time(request: HttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    """延期申请: agency staff propose a later deadline and say why."""
    audit = get_audit_for_user(request.user, year, code)
    item = _item(audit, pk)
    if not can_answer_rectification(request.user, audit):
        raise PermissionDenied
    form = ExtensionForm(request.POST)
    try:
        if not form.is_valid():
            raise services.RectificationError(
                " ".join(e for errors in form.errors.values() for e in errors)
            )
        services.ask_for_more_time(
            item=item,
            by=request.user,
            proposed=form.cleaned_data["proposed_deadline"],
            reason=form.cleaned_data["reason"],
        )
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RectificationError as error:
        return _item_page(request, audit, item, extension_form=form, status=422, error=str(error))
    messages.success(request, _("Your request for more time was sent; a manager decides on it."))
    return redirect("rectification_item", year, code, pk)


@require_POST
@login_required
def decide_on_more_time(request: HttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    audit = get_audit_for_user(request.user, year, code)
    item = _item(audit, pk)
    grant = request.POST.get("decision") == "grant"
    try:
        services.decide_on_more_time(
            item=item, by=request.user, grant=grant, answer=request.POST.get("answer", "")
        )
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.RectificationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("More time was granted: the deadline is moved.")
            if grant
            else _("More time was refused; the agency sees your reason."),
        )
    return redirect("rectification_item", year, code, pk)


@require_safe
@login_required
def cycle_ledger(request: HttpRequest, year: int) -> HttpResponse:
    """整改台账: every agency's items, filtered, with each agency's completion rate; both
    lists a page at a time (a short one whole), the agencies searched by code or name."""
    cycle = get_cycle_for_office(request.user, year)
    today = timezone.localdate()
    filters = ledger.LedgerFilter(request.GET, cycle=cycle, user=request.user)
    items = filters.apply(ledger.ledger_items(cycle), today)
    paged = paginate(request, items)
    first = paged.page.start_index()
    rows = [
        ledger.LedgerRow(first + index, item, item.is_overdue(today), item.waiting)
        for index, item in enumerate(paged.page.object_list)
    ]
    progress = paginate(
        request,
        ledger.agency_progress_audits(cycle, today).filter(filters.agency_q("agency__")),
        prefix="progress_",
    )
    query = request.GET.copy()
    for name in ("page", "progress_page"):
        query.pop(name, None)
    context = {
        "cycle": cycle,
        "filters": filters,
        "rows": rows,
        "paged": paged,
        "query": query.urlencode(),
        "progress": ledger.progress_rows(progress.page.object_list),
        "progress_paged": progress,
        "can_remind": can_manage_rectification(request.user),
    }
    return render(request, "rectification/ledger.html", context)


@require_POST
@login_required
def remind(request: HttpRequest, year: int) -> HttpResponse:
    """A manager reminds every agency of the items it still owes an answer for."""
    cycle = get_cycle_for_office(request.user, year)
    if not can_manage_rectification(request.user):
        raise PermissionDenied
    result = reminders.remind(cycle=cycle, by=request.user, manual=True)
    if result.sent:
        messages.success(
            request,
            ngettext(
                "Rectification reminder e-mailed to %(n)s agency.",
                "Rectification reminders e-mailed to %(n)s agencies.",
                len(result.sent),
            )
            % {"n": len(result.sent)},
        )
    for audit, reason in result.failed:
        messages.error(
            request,
            _(
                "The reminder to %(name)s was not sent: %(reason)s. Try again later, or tell the administrator."
            )
            % {"name": audit.agency.name, "reason": reason},
        )
    if not (result.sent or result.failed):
        messages.info(
            request,
            _("No reminder was sent: no agency with an e-mail address owes an answer."),
        )
    return redirect("rectification_ledger", year)
