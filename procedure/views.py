from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agencies.access import get_audit_for_user, get_cycle_for_office
from agencies.models import Audit, AuditStatus
from checklist.models import Assessment
from checklist.services import Entry, ScoringError, StaleVersion
from common.inputs import parse_id
from common.paging import paginate
from evidence.filetypes import ALLOWED_EXTENSIONS, RefusedFile

from . import drafts, notices, tasks
from .forms import AnswerForm, NoticeForm, NoticeTermsForm
from .models import AuditNotice, DraftProblem, DraftReport, ObjectionProof, Opinion, ReplyStatus


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _terms_initial(cycle) -> dict:
    terms = notices.NoticeTerms.from_cycle(cycle)
    return {
        "audit_period": terms.audit_period,
        "contact_name": terms.contact_name,
        "contact_phone": terms.contact_phone,
        "preparation": terms.preparation,
    }


@require_http_methods(["GET", "POST"])
@login_required
def notice(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """One agency's 稽核通知书: issued or not, signed for or not, every version; a manager
    issues (or reissues) it here, the agency's staff sign for it."""
    audit = get_audit_for_user(request.user, year, code)
    can_issue = request.user.is_manager and audit.status != AuditStatus.FINALIZED
    leaders = notices.leader_choices(audit)
    form, status = None, 200
    if request.method == "POST":
        if not request.user.is_manager:
            raise PermissionDenied
        form = NoticeForm(request.POST, leaders=leaders)
        if form.is_valid():
            try:
                with transaction.atomic():
                    audit.onsite_start = form.cleaned_data["onsite_start"]
                    audit.onsite_end = form.cleaned_data["onsite_end"]
                    audit.team_leader = form.cleaned_data["team_leader"]
                    audit.save(update_fields=["onsite_start", "onsite_end", "team_leader"])
                    issued = notices.issue_notice(audit=audit, by=request.user, terms=form.terms())
            except notices.NoticeRefused as refusal:
                form.add_error(None, str(refusal))
                status = 409
            else:
                messages.success(
                    request,
                    _(
                        "Done: audit notice %(number)s is issued. %(agency)s's staff see it on "
                        "their agency page and workbench and sign for it there."
                    )
                    % {"number": issued.number, "agency": audit.agency.name},
                )
                return redirect("audit_notice", year, code)
        else:
            status = 422
    elif can_issue:
        form = NoticeForm(
            initial={
                **_terms_initial(audit.cycle),
                "onsite_start": audit.onsite_start,
                "onsite_end": audit.onsite_end,
                "team_leader": audit.team_leader_id,
            },
            leaders=leaders,
        )
    issued = list(
        audit.notices.defer("content")
        .select_related("issued_by", "received_by")
        .order_by("-version")
    )
    context = {
        "audit": audit,
        "cycle": audit.cycle,
        "agency": audit.agency,
        "notices": issued,
        "latest": issued[0] if issued else None,
        "form": form if can_issue or form is not None else None,
        "can_issue": can_issue,
        "can_sign": request.user.is_agency_staff and request.user.agency_id == audit.agency_id,
        "has_team": leaders.exists(),
    }
    return render(request, "procedure/notice.html", context, status=status)


@require_POST
@login_required
def notice_receive(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """签收: the agency's own staff confirm they received the newest notice."""
    audit = get_audit_for_user(request.user, year, code)
    if not request.user.is_agency_staff:
        raise PermissionDenied
    try:
        signed = notices.sign_for_notice(audit=audit, by=request.user)
    except notices.NoticeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("Done: you signed for audit notice %(number)s; the office sees it.")
            % {"number": signed.number},
        )
    return redirect("audit_notice", year, code)


def _issued_pdf(request, year: int, code: str, documents, kind: str) -> HttpResponse:
    """A document as issued (these very bytes): the newest, or for the office ?version=N."""
    audit = get_audit_for_user(request.user, year, code)
    documents = documents.filter(audit=audit)
    version = request.GET.get("version", "")
    if version:
        if not request.user.is_office_staff:
            raise PermissionDenied
        if parse_id(version) is None:
            raise Http404
        document = get_object_or_404(documents, version=parse_id(version))
    else:
        document = documents.order_by("-version").first()
        if document is None:
            raise Http404
    response = _pdf(
        bytes(document.content), f"{year}-{audit.agency.code}-{audit.agency.name}-{kind}.pdf"
    )
    response["X-Document-SHA256"] = document.sha256
    return response


@require_safe
@login_required
def notice_pdf(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The 稽核通知书 as issued."""
    return _issued_pdf(request, year, code, AuditNotice.objects.all(), "稽核通知书")


STATES = {
    "none": _("No notice yet"),
    "unsigned": _("Not signed for"),
    "signed": _("Signed for"),
}


@require_http_methods(["GET", "POST"])
@login_required
def cycle_notices(request: HttpRequest, year: int) -> HttpResponse:
    """Every agency's notice at a glance (issued, signed for, by whom), and a manager's
    form to issue the notices of every agency that has none yet."""
    cycle = get_cycle_for_office(request.user, year)
    form, status = None, 200
    if request.method == "POST":
        if not request.user.is_manager:
            raise PermissionDenied
        form = NoticeTermsForm(request.POST)
        if form.is_valid():
            result = tasks.start_issuing(cycle=cycle, by=request.user, terms=form.terms())
            if result is None:
                messages.success(
                    request,
                    _(
                        "The notices are being issued in the background; this page shows "
                        "them as they are ready."
                    ),
                )
            else:
                issued, skipped = result
                messages.success(
                    request,
                    ngettext(
                        "Done: %(count)d audit notice issued.",
                        "Done: %(count)d audit notices issued.",
                        issued,
                    )
                    % {"count": issued},
                )
                if skipped:
                    messages.warning(
                        request,
                        ngettext(
                            "%(count)d agency has no notice yet: %(agencies)s.",
                            "%(count)d agencies have no notice yet: %(agencies)s.",
                            len(skipped),
                        )
                        % {"count": len(skipped), "agencies": "；".join(skipped[:10])},
                    )
            return redirect("cycle_notices", year)
        status = 422
    elif request.user.is_manager:
        form = NoticeTermsForm(initial=_terms_initial(cycle))

    audits = Audit.objects.filter(cycle=cycle).annotate(
        has_notice=Exists(AuditNotice.objects.filter(audit=OuterRef("pk"))),
        # the newest version signed for: a reissue is to be signed for again
        signed=Exists(
            AuditNotice.objects.latest_per_audit().filter(
                audit=OuterRef("pk"), received_at__isnull=False
            )
        ),
    )
    # three counts, not one aggregate: Count(filter=Q(signed=True)) over the nested
    # subquery of the newest version counted none on SQLite
    counts = {
        "total": audits.count(),
        "issued": audits.filter(has_notice=True).count(),
        "signed": audits.filter(signed=True).count(),
    }
    state = request.GET.get("state", "")
    if state == "none":
        audits = audits.filter(has_notice=False)
    elif state == "unsigned":
        audits = audits.filter(has_notice=True, signed=False)
    elif state == "signed":
        audits = audits.filter(signed=True)
    else:
        state = ""
    paged = paginate(request, audits.select_related("agency").order_by("serial"))
    rows = list(paged.page.object_list)
    newest = {
        n.audit_id: n
        for n in AuditNotice.objects.latest_per_audit()
        .filter(audit__in=rows)
        .defer("content")
        .select_related("received_by")
    }
    for row in rows:
        row.notice = newest.get(row.pk)
    context = {
        "cycle": cycle,
        "rows": rows,
        "paged": paged,
        "counts": counts,
        "state": state,
        "states": STATES,
        "form": form,
        "is_manager": request.user.is_manager,
    }
    return render(request, "procedure/cycle_notices.html", context, status=status)


# 征求意见稿 -------------------------------------------------------------------------------


def _draft_context(request, audit, draft) -> dict:
    user = request.user
    problems = []
    if draft is not None:
        current = {
            a.standard_id: a
            for a in Assessment.objects.filter(
                audit=audit, standard__in=[p.standard_id for p in draft.problems.all()]
            )
        }
        proofs = {}
        for proof in ObjectionProof.objects.filter(problem__draft=draft).select_related("file"):
            proofs.setdefault(proof.problem_id, []).append(proof.file)
        for problem in draft.problems.select_related("standard__category", "decided_by"):
            problem.files = proofs.get(problem.pk, [])
            problem.now = current.get(problem.standard_id)
            problems.append(problem)
    today = timezone.localdate()
    can_answer = (
        draft is not None
        and draft.status == ReplyStatus.ANSWERED
        and audit.status == AuditStatus.UNDER_REVIEW
        and (user.is_manager or drafts.is_assigned(user, audit))
    )
    return {
        "audit": audit,
        "cycle": audit.cycle,
        "agency": audit.agency,
        "draft": draft,
        "problems": problems,
        "past_due": draft is not None and draft.is_past_due(today),
        "can_reply": (
            draft is not None
            and user.is_agency_staff
            and user.agency_id == audit.agency_id
            and draft.status == ReplyStatus.WAITING
            and not draft.is_past_due(today)
        ),
        "can_answer": can_answer,
        "can_send": (
            user.is_manager
            and audit.cycle.draft_step
            and audit.status == AuditStatus.UNDER_REVIEW
            and (draft is None or draft.status != ReplyStatus.WAITING or draft.is_past_due(today))
        ),
        "answer_form": AnswerForm(),
        "opinions": Opinion.choices,
        "allowed": ", ".join(f".{ext}" for ext in sorted(ALLOWED_EXTENSIONS)),
    }


@require_http_methods(["GET", "POST"])
@login_required
def draft_report(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The 征求意见稿 and the agency's written reply: its staff answer each problem (无异议 or
    有异议 with their explanation and proof) and submit; the office reads it and answers
    the objections."""
    audit = get_audit_for_user(request.user, year, code)
    draft = drafts.latest_draft(audit)
    status = 200
    if request.method == "POST":
        if not (request.user.is_agency_staff and request.user.agency_id == audit.agency_id):
            raise PermissionDenied
        if draft is None:
            raise Http404
        submit = request.POST.get("action") == "submit"
        lines = [
            drafts.ProblemReply(
                problem_id=problem.pk,
                opinion=request.POST.get(f"opinion-{problem.pk}", ""),
                explanation=request.POST.get(f"explanation-{problem.pk}", ""),
            )
            for problem in draft.problems.all()
        ]
        try:
            # what was typed is kept first, whatever the files or the checks say
            draft = drafts.save_reply(
                draft=draft,
                by=request.user,
                opinion=request.POST.get("opinion", ""),
                lines=lines,
                submit=False,
            )
            refused = _store_reply_files(request, draft)
            if submit and not refused:
                draft = drafts.save_reply(
                    draft=draft, by=request.user, opinion=draft.opinion, lines=lines, submit=True
                )
        except drafts.DraftRefused as refusal:
            messages.error(request, str(refusal))
            status = 409
        else:
            if not refused:
                messages.success(
                    request,
                    _(
                        "Done: your reply is submitted; the office answers each objection before the report is issued."
                    )
                    if submit
                    else _("Saved. Submit the reply when every problem has your opinion."),
                )
                return redirect("draft_report", year, code)
            status = 422
    context = _draft_context(request, audit, draft)
    return render(request, "procedure/draft_report.html", context, status=status)


def _store_reply_files(request, draft) -> bool:
    """The proof of each objection and the signed scan, through the upload pipeline; says
    whether a file was refused (each refusal in a message)."""
    refused = False
    uploads = [
        (problem.pk, upload)
        for problem in draft.problems.all()
        for upload in request.FILES.getlist(f"proof-{problem.pk}")
    ]
    scan = request.FILES.get("signed_reply")
    for problem_id, upload in [*uploads, (None, scan)]:
        if upload is None:
            continue
        try:
            if problem_id is None:
                drafts.add_signed_reply(draft=draft, upload=upload, by=request.user)
            else:
                drafts.add_proof(draft=draft, problem_id=problem_id, upload=upload, by=request.user)
        except RefusedFile as error:
            messages.error(request, str(error))
            refused = True
        finally:
            upload.close()
    return refused


@require_safe
@login_required
def draft_report_pdf(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The 征求意见稿 as sent."""
    return _issued_pdf(request, year, code, DraftReport.objects.all(), "征求意见稿")


@require_POST
@login_required
def objection_answer(request: HttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    """An assigned auditor or a manager answers one objection (采纳 / 部分采纳 / 不采纳)."""
    audit = get_audit_for_user(request.user, year, code)
    if not request.user.is_office_staff:
        raise PermissionDenied
    problem = get_object_or_404(DraftProblem, pk=pk, draft__audit=audit)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{problem.standard.code}：{error}")
        return redirect("draft_report", year, code)
    data = form.cleaned_data
    entry = None
    if data["change"]:
        entry = Entry(
            result=data["result"],
            points=data["points"],
            finding=data["finding"],
            rectification=data["rectification"],
        )
    try:
        drafts.answer_objection(
            problem=problem,
            by=request.user,
            decision=data["decision"],
            reason=data["reason"],
            entry=entry,
            expected_version=data["version"],
        )
    except StaleVersion:
        messages.error(
            request,
            _("%(code)s was changed by someone else meanwhile: see its score now and answer again.")
            % {"code": problem.standard.code},
        )
    except (drafts.DraftRefused, ScoringError) as refusal:
        messages.error(request, f"{problem.standard.code}：{refusal}")
    else:
        messages.success(
            request,
            _("Done: the answer to %(code)s is recorded.") % {"code": problem.standard.code},
        )
    return redirect("draft_report", year, code)
