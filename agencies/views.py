from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.access import require_manager
from accounts.models import Role, User
from agencies.access import (
    can_edit_scores,
    can_view_scores,
    get_audit_for_user,
    get_cycle_for_office,
)
from common.inputs import parse_id
from common.links import agency_url
from common.paging import paginate

from . import services
from .charts import grade_distribution_svg, score_history_svg
from .models import (
    Audit,
    AuditEvent,
    AuditStatus,
    Cycle,
    FundingMode,
    Grade,
    Recusal,
    attach_returns,
    changes_since_return,
    history,
    is_accepted,
    load_auditors,
)

STATUS_ORDER = Case(
    *[When(status=s.value, then=Value(i)) for i, s in enumerate(AuditStatus)],
    output_field=IntegerField(),
)
GRADE_ORDER = Case(
    *[When(grade=g.value, then=Value(i)) for i, g in enumerate(Grade)],
    default=Value(len(Grade)),
    output_field=IntegerField(),
)
SORTS = {
    "serial": ["serial"],
    "code": ["agency__code"],
    "name": ["agency__name", "serial"],
    "status": [STATUS_ORDER, "serial"],
    "progress": ["-scored_count", "serial"],
    "total": [F("total_score").desc(nulls_last=True), "serial"],
    "grade": [GRADE_ORDER, "serial"],
    "previous": [F("previous_total").desc(nulls_last=True), "serial"],
    "change": [F("change").desc(nulls_last=True), "serial"],
}


def _auditors():
    return User.objects.filter(role=Role.AUDITOR, is_active=True).order_by("username")


class OverviewFilter(forms.Form):
    q = forms.CharField(required=False, max_length=100, strip=True)
    status = forms.ChoiceField(choices=[("", ""), *AuditStatus.choices], required=False)
    grade = forms.ChoiceField(choices=[("", ""), ("none", "none"), *Grade.choices], required=False)
    auditor = forms.CharField(required=False)
    mode = forms.ChoiceField(choices=[("", ""), ("unset", "unset")], required=False)
    sort = forms.ChoiceField(choices=[(key, key) for key in SORTS], required=False)

    def apply(self, audits):
        if not self.is_valid():
            return audits
        data = self.cleaned_data
        if data["q"]:
            audits = audits.filter(
                Q(agency__code__icontains=data["q"]) | Q(agency__name__icontains=data["q"])
            )
        if data["status"]:
            audits = audits.filter(status=data["status"])
        if data["grade"] == "none":
            audits = audits.filter(grade="")
        elif data["grade"]:
            audits = audits.filter(grade=data["grade"])
        if data["auditor"] == "none":
            audits = audits.filter(auditors__isnull=True)
        elif parse_id(data["auditor"]) is not None:
            audits = audits.filter(auditors__pk=parse_id(data["auditor"]))
        if data["mode"] == "unset":
            audits = audits.filter(agency__funding_mode="")
        return audits.order_by(*SORTS[data["sort"] or "serial"])


class AssignForm(forms.Form):
    audits = forms.ModelMultipleChoiceField(queryset=Audit.objects.none())
    auditors = forms.ModelMultipleChoiceField(queryset=User.objects.none())
    replace = forms.BooleanField(required=False)
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audits"].queryset = cycle.audits.all()
        self.fields["auditors"].queryset = _auditors()
        self.fields["audits"].error_messages["required"] = _("Tick at least one agency.")
        self.fields["auditors"].error_messages["required"] = _("Choose at least one auditor.")


def applicable_counts(cycle: Cycle) -> dict[str, int]:
    """How many standards apply to an agency of each funding mode ("" for unknown: all)."""
    rows = (
        cycle.categories.values("standards__applies_to").annotate(n=Count("standards")).order_by()
    )
    by_scope = {row["standards__applies_to"]: row["n"] for row in rows}
    common = by_scope.get("all", 0)
    return {
        "": sum(by_scope.values()),
        FundingMode.DIRECT: common + by_scope.get(FundingMode.DIRECT, 0),
        FundingMode.INDIRECT: common + by_scope.get(FundingMode.INDIRECT, 0),
    }


def mode_dependent_standards(cycle: Cycle) -> list[str]:
    """Codes of the cycle's standards that apply to 直投 or 非直投 agencies only (3-7): for an
    agency whose mode is not set these count as applicable, which the pages must say."""
    rows = (
        cycle.categories.filter(standards__applies_to__in=FundingMode.values)
        .values_list("position", "standards__number")
        .order_by("position", "standards__number")
    )
    return [f"{position}-{number}" for position, number in rows]


def _next_report_number(audit: Audit, issued: int) -> str:
    """The number 定稿 will issue; "—" for a format saved before formats were checked."""
    try:
        return audit.cycle.report_number(audit.agency, issued + 1)
    except (KeyError, IndexError, ValueError, AttributeError):
        return "—"


def _with_progress(audits, cycle):
    """The rows of the overview and my-agencies pages, with what each row shows worked
    out here rather than by tags in the template's loop."""
    counts = applicable_counts(cycle)
    audits = list(audits)
    rectification = _rectification_progress(cycle, [audit.pk for audit in audits])
    detail_url = agency_url("audit_detail", cycle.year)
    rectification_url = agency_url("rectification", cycle.year)
    for audit in audits:
        audit.applicable_count = counts[audit.agency.funding_mode]
        audit.rectification = rectification.get(audit.pk)
        audit.detail_url = detail_url(audit.agency.code)
        audit.rectification_url = rectification_url(audit.agency.code)
        audit.select_label = _("Select %(name)s") % {"name": audit.agency.name}
    return audits


def category_headings(cycle: Cycle) -> list[dict]:
    """The overview's category columns: each category's name and a heading of its first
    two characters (组织, 业务, 财务), the whole name on hover."""
    return [
        {"position": position, "name": name, "short": name[:2]}
        for position, name in cycle.categories.order_by("position").values_list("position", "name")
    ]


def _with_category_cells(audits, headings) -> None:
    """Each row's category scores in the columns' order (None where there is none yet)."""
    for audit in audits:
        by_position = {entry["position"]: entry.get("score") for entry in audit.category_scores}
        audit.category_cells = [by_position.get(heading["position"]) for heading in headings]


def _rectification_progress(cycle, audit_ids) -> dict[int, dict]:
    """audit id -> live rectification items, closed and overdue, for those of ``audit_ids``
    that have any (rectification.RectificationItem through its reverse name; its ItemStatus
    values)."""
    live = Q(rectification_items__withdrawn=False)
    rows = (
        cycle.audits.filter(pk__in=audit_ids)
        .annotate(
            total=Count("rectification_items", filter=live),
            closed=Count(
                "rectification_items", filter=live & Q(rectification_items__status="closed")
            ),
            overdue=Count(
                "rectification_items",
                filter=live
                & Q(
                    rectification_items__status__in=["pending", "returned"],
                    rectification_items__deadline__lt=timezone.localdate(),
                ),
            ),
        )
        .filter(total__gt=0)
        .values("pk", "total", "closed", "overdue")
    )
    return {row["pk"]: row for row in rows}


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
    filters = OverviewFilter(request.GET)
    paged = paginate(
        request,
        filters.apply(
            cycle.audits.roster()
            .with_previous_totals(cycle)
            .prefetch_related(Prefetch("auditors", queryset=User.objects.order_by("username")))
        ),
    )
    audits = _with_progress(paged.page.object_list, cycle)
    categories = category_headings(cycle)
    _with_category_cells(audits, categories)
    status_counts = dict(cycle.audits.values_list("status").annotate(n=Count("id")).order_by())
    # The chart counts final grades only; an unfinished audit's grade (暂评) can still change
    # and is listed beside the chart instead.
    graded = cycle.audits.exclude(grade="").values_list("grade").annotate(n=Count("id")).order_by()
    grade_counts = dict(graded.filter(status=AuditStatus.FINALIZED))
    provisional = dict(graded.exclude(status=AuditStatus.FINALIZED))
    auditors = list(_auditors())
    mode_dependent = mode_dependent_standards(cycle)
    others = request.GET.copy()
    others.pop("sort", None)
    others.pop("page", None)
    can_assign = request.user.is_manager
    return render(
        request,
        "agencies/cycle_overview.html",
        {
            "cycle": cycle,
            "audits": audits,
            "paged": paged,
            "filter_query": _filter_query(request.GET),
            "roster_size": sum(status_counts.values()),
            "statuses": [(s, status_counts.get(s.value, 0)) for s in AuditStatus],
            "grades": Grade,
            "grade_chart": grade_distribution_svg(grade_counts),
            "graded": sum(grade_counts.values()),
            "provisional": [(g, provisional[g.value]) for g in Grade if provisional.get(g.value)],
            "mode_dependent": mode_dependent,
            "mode_unset_count": (
                cycle.audits.filter(agency__funding_mode="").count() if mode_dependent else 0
            ),
            "categories": categories,
            "column_count": 9 + can_assign + 2 * bool(cycle.previous_id) + len(categories),
            "labels": {"not_assigned": _("not assigned")},
            "filters": filters,
            "current": filters.cleaned_data if filters.is_valid() else {},
            "auditors": auditors,
            "can_assign": can_assign,
            **(_assignment_rules(cycle, auditors, audits) if can_assign else {}),
            "sort_query": others.urlencode() + "&" if others else "",
            "sort": (filters.cleaned_data.get("sort") if filters.is_valid() else "") or "serial",
            "previous_cycle": cycle.previous,
        },
    )


def _filter_query(query) -> str:
    """The overview's filter (search, status, grade, auditor) as a query string: what
    "select all that match" assigns to."""
    kept = query.copy()
    for key in list(kept):
        if key not in OverviewFilter.base_fields or key == "sort":
            del kept[key]
    return kept.urlencode()


def _assignment_rules(cycle: Cycle, auditors, audits) -> dict:
    """What the assignment panel reminds a manager of: recusals (回避) at the agencies on
    the page and auditors due for rotation (轮换) there (three queries at most)."""
    agency_ids = [audit.agency_id for audit in audits]
    recusals = list(
        Recusal.objects.filter(agency__in=agency_ids)
        .select_related("auditor", "agency")
        .order_by("agency__code", "auditor__username")
    )
    due = services.rotation_due(cycle, agency_ids=agency_ids)
    names = {auditor.pk: auditor.display_name for auditor in auditors}
    rotation = sorted(
        (names[user_id], agency, "、".join(str(y) for y in years))
        for (user_id, _agency_id), (agency, years) in due.items()
        if user_id in names
    )
    return {"recusals": recusals, "rotation": rotation}


@require_POST
@login_required
def assign(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_office(request.user, year)
    require_manager(request.user)
    data = request.POST
    if data.get("all_matching"):
        # "Select all that match": the agencies the overview's filter finds on every page,
        # found again now (the ids are the form's to check, as if each had been ticked).
        filters = OverviewFilter(QueryDict(data.get("filter", "")))
        if not filters.is_valid():
            messages.error(request, _("The filter could not be read; nothing was assigned."))
            return redirect("cycle_overview", cycle.year)
        data = data.copy()
        data.setlist(
            "audits",
            [str(pk) for pk in filters.apply(cycle.audits.all()).values_list("pk", flat=True)],
        )
    form = AssignForm(data, cycle=cycle)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            changed = services.assign_auditors(
                audits=form.cleaned_data["audits"].select_related("cycle", "agency"),
                auditors=form.cleaned_data["auditors"],
                by=request.user,
                replace=form.cleaned_data["replace"],
                confirmed=form.cleaned_data["confirmed"],
            )
        except services.NeedsConfirmation as question:
            return render(
                request,
                "agencies/assign_confirm.html",
                {"cycle": cycle, "question": str(question), "form": form},
            )
        except services.AssignmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "Auditors assigned to %(n)s agency.",
                    "Auditors assigned to %(n)s agencies.",
                    changed,
                )
                % {"n": changed},
            )
    back = request.POST.get("next", "")
    if back.startswith(f"/cycles/{cycle.year}/") and "//" not in back:
        return redirect(back)
    return redirect("cycle_overview", cycle.year)


@require_safe
@login_required
def my_audits(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_office(request.user, year)
    audits = (
        cycle.audits.roster()
        .filter(auditors=request.user)
        .prefetch_related(Prefetch("auditors", queryset=User.objects.order_by("username")))
    )
    audits = _with_progress(audits, cycle)
    attach_returns(audits)
    return render(request, "agencies/my_audits.html", {"cycle": cycle, "audits": audits})


def _history(audit: Audit) -> dict:
    """历年稽核结果: the agency's finalized results of every cycle up to this one, with the
    chart, once there is more than this cycle's (one query)."""
    audits = history(audit)
    if not any(past.cycle_id != audit.cycle_id for past in audits):
        return {"history": []}
    positions = [(entry["position"], entry["name"]) for entry in audits[-1].category_scores]
    rows = []
    for past in audits:
        by_position = {entry["position"]: entry.get("score") for entry in past.category_scores}
        rows.append(
            {
                "audit": past,
                "categories": [by_position.get(position) for position, _name in positions],
            }
        )
    return {
        "history": rows,
        "history_categories": [name for _position, name in positions],
        "history_chart": score_history_svg(
            (past.cycle.year, past.total_score, past.grade) for past in audits
        ),
    }


def _carried(audit: Audit) -> list:
    """The agency's rectification items of the previous cycle not closed yet (上年问题),
    through rectification's reverse name: one query, none without a previous cycle."""
    if audit.cycle.previous_id is None:
        return []
    return list(
        Audit.objects.filter(cycle_id=audit.cycle.previous_id, agency_id=audit.agency_id)
        # one filter() call: both conditions hold for the same item
        .filter(
            rectification_items__withdrawn=False,
            rectification_items__status__in=["pending", "submitted", "returned"],
        )
        .values_list(
            "rectification_items__pk",
            "rectification_items__standard__category__position",
            "rectification_items__standard__number",
            "rectification_items__finding",
        )
        .order_by(
            "rectification_items__standard__category__position",
            "rectification_items__standard__number",
        )
    )


@require_safe
@login_required
def audit_detail(request: HttpRequest, year: int, code: str) -> HttpResponse:
    audit = get_audit_for_user(request.user, year, code)
    cycle = audit.cycle
    auditors = load_auditors(audit)
    attach_returns([audit])
    show_scores = can_view_scores(request.user, audit)
    findings = []
    if show_scores:
        findings = (
            # 基本符合 and 不符合 (checklist.models.Result; agencies does not import checklist)
            audit.assessments.filter(result__in=["largely", "non_compliant"])
            .select_related("standard__category")
            .order_by("standard__category__position", "standard__number")
        )
    # The documents' statuses (evidence.DocumentRequest, through its reverse name).
    by_document = {r.document_id: r for r in audit.document_requests.all()}
    documents = list(cycle.required_documents.order_by("number"))
    for document in documents:
        document.request = by_document.get(document.pk)
    context = {
        "audit": audit,
        "cycle": cycle,
        "agency": audit.agency,
        "auditors": auditors,
        "categories": cycle.categories.prefetch_related("standards"),
        "required_documents": documents,
        "show_scores": show_scores,
        "findings": findings,
        "applicable_count": applicable_counts(cycle)[audit.agency.funding_mode],
        "mode_dependent": mode_dependent_standards(cycle),
        # rectification.RectificationItem through its reverse name; the statuses are its
        # ItemStatus values (closed; pending and returned are the agency's to answer)
        "rectification": audit.rectification_items.filter(withdrawn=False).aggregate(
            total=Count("id"),
            closed=Count("id", filter=Q(status="closed")),
            overdue=Count(
                "id",
                filter=Q(status__in=["pending", "returned"], deadline__lt=timezone.localdate()),
            ),
        ),
    }
    # procedure.AuditNotice through its reverse name: the newest version
    context["notice"] = (
        audit.notices.defer("content").select_related("received_by").order_by("-version").first()
    )
    # procedure.DraftReport (征求意见稿) through its reverse name: the newest version
    context["draft"] = audit.draft_reports.defer("content").order_by("-version").first()
    context["carried"] = _carried(audit)
    context.update(_history(audit))
    if request.user.is_office_staff:
        issued_reports = list(audit.issued_reports.defer("content").order_by("-version"))
        context.update(
            {
                "events": AuditEvent.objects.filter(audit=audit).select_related("actor")[:20],
                # reports.IssuedReport through its reverse name (agencies does not import reports)
                "issued_reports": issued_reports,
                "next_report_number": _next_report_number(audit, len(issued_reports)),
                # for the question before 提交复核, shown only while the audit is in progress
                "incomplete": [
                    a for a in audit.assessments.select_related("standard__category") if a.missing()
                ]
                if audit.status == AuditStatus.IN_PROGRESS
                else [],
                "unscored": max(context["applicable_count"] - audit.scored_count, 0),
                "since_return": changes_since_return(audit),
                "documents_not_received": [d for d in documents if not is_accepted(d)],
                "can_edit": can_edit_scores(request.user, audit),
                "is_manager": request.user.is_manager,
            }
        )
    return render(request, "agencies/audit_detail.html", context)
