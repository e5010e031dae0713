"""The self-assessment page (自查自评): the agency's staff fill it in and submit it; office
staff read it and may return it. Agency staff of another agency get 404 (access.py)."""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agencies.access import get_audit_for_user
from agencies.models import Audit
from checklist import services as scoring
from checklist.models import Result, Standard
from evidence.models import EvidenceFile

from . import services
from .models import SelfAssessmentEntry


class EntryForm(forms.Form):
    version = forms.IntegerField(min_value=0)
    result = forms.ChoiceField(choices=[("", ""), *Result.choices], required=False)
    points = forms.CharField(label=gettext_lazy("Points"), required=False, max_length=20)
    explanation = forms.CharField(
        label=gettext_lazy("Self-check (自查情况)"),
        required=False,
        max_length=services.MAX_EXPLANATION,
    )
    files = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, file_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].choices = [(pk, str(pk)) for pk in file_ids]

    def problem(self) -> tuple[str, str]:
        for name, errors in self.errors.items():
            if name in ("version", "result"):
                return name, _(
                    "The page is missing information needed to save. Copy what you typed "
                    "somewhere safe, then reload the page."
                )
            if name == "files":
                return name, _(
                    "A file cited is no longer among the agency's uploads; reload the page."
                )
            if name in self.fields:
                return name, f"{self.fields[name].label}：{errors[0]}"
        return "", _("The entry could not be read.")

    def entry(self) -> services.Entry:
        data = self.cleaned_data
        return services.Entry(
            result=data["result"],
            points=data["points"],
            explanation=data["explanation"],
            file_ids=data["files"],
        )


@dataclass
class Row:
    standard: Standard
    entry: SelfAssessmentEntry | None
    url: str
    cited: set = field(default_factory=set)

    @property
    def key(self) -> str:
        return str(self.standard.pk)

    @property
    def version(self) -> int:
        return self.entry.version if self.entry else 0

    @property
    def points_locked(self) -> bool:
        return self.entry is not None and self.entry.result in (
            Result.COMPLIANT,
            Result.NOT_APPLICABLE,
        )

    @property
    def missing(self) -> list[str]:
        return self.entry.missing() if self.entry else []

    @property
    def limits(self) -> dict:
        return {"explanation": services.MAX_EXPLANATION}


def _item_url(audit: Audit, standard: Standard) -> str:
    return reverse(
        "self_assessment_item",
        args=[audit.cycle.year, audit.agency.code, standard.category.position, standard.number],
    )


def _rows(audit: Audit, standards) -> list[Row]:
    entries = {
        e.standard_id: e
        for e in SelfAssessmentEntry.objects.filter(audit=audit)
        .select_related("updated_by")
        .prefetch_related("files")
    }
    rows = []
    for standard in standards:
        entry = entries.get(standard.pk)
        rows.append(
            Row(
                standard=standard,
                entry=entry,
                url=_item_url(audit, standard),
                cited={f.pk for f in entry.files.all()} if entry else set(),
            )
        )
    return rows


def _agency_files(audit: Audit) -> list[EvidenceFile]:
    return list(
        EvidenceFile.objects.filter(audit=audit)
        .select_related("request__document")
        .order_by("request__document__number", "uploaded_at", "pk")
    )


def _audit(request: HttpRequest, year: int, code: str) -> Audit:
    """Office staff and the agency's own staff; anyone else's agency is 404 (access.py)."""
    return get_audit_for_user(request.user, year, code)


def _base_context(request, audit, state) -> dict:
    closed = services.closed_because(audit, state)
    return {
        "audit": audit,
        "cycle": audit.cycle,
        "agency": audit.agency,
        "state": state,
        "can_edit": services.can_fill(request.user, audit) and not closed,
        "closed_because": closed,
        "result_choices": [(value, str(label)) for value, label in Result.choices],
    }


@require_safe
@login_required
def page(request: HttpRequest, year: int, code: str) -> HttpResponse:
    audit = _audit(request, year, code)
    state = services.state_of(audit)
    standards = scoring.applicable_standards(audit)
    rows = _rows(audit, standards)
    scores = scoring.audit_scores(audit, standards, [r.entry for r in rows if r.entry])
    sections: list[dict] = []
    for row in rows:
        if not sections or sections[-1]["category"] != row.standard.category:
            sections.append({"category": row.standard.category, "rows": []})
        sections[-1]["rows"].append(row)
    context = _base_context(request, audit, state) | {
        "sections": sections,
        "agency_files": _agency_files(audit),
        "summary": scoring.summary(scores, standards),
        "can_return": services.can_return(request.user, audit),
    }
    return render(request, "selfassessment/page.html", context)


def _get_standard(audit: Audit, category: int, number: int) -> Standard:
    standard = (
        Standard.objects.select_related("category")
        .filter(category__cycle=audit.cycle, category__position=category, number=number)
        .first()
    )
    if standard is None or not standard.applies_to_agency(audit.agency):
        raise Http404
    return standard


def _status(request, row, *, status, error="", field="", conflict=None, saved=None):
    context = {
        "row": row,
        "error": error,
        "error_field": field,
        "conflict": conflict,
        "saved": saved,
        "oob": True,
    }
    return HttpResponse(
        render_to_string("selfassessment/page.html#status", context, request), status=status
    )


@require_http_methods(["GET", "POST"])
@login_required
def item(request: HttpRequest, year: int, code: str, category: int, number: int):
    """One standard: GET renders it afresh (after a conflict), POST saves it (autosave)."""
    audit = _audit(request, year, code)
    standard = _get_standard(audit, category, number)
    state = services.state_of(audit)
    if request.method == "GET":
        context = _base_context(request, audit, state) | {
            "row": _rows(audit, [standard])[0],
            "agency_files": _agency_files(audit),
        }
        return render(request, "selfassessment/page.html#item", context)
    if not services.can_fill(request.user, audit):
        raise PermissionDenied
    row = Row(standard=standard, entry=None, url="")
    files = EvidenceFile.objects.filter(audit=audit).values_list("pk", flat=True)
    form = EntryForm(request.POST, file_ids=list(files))
    if not form.is_valid():
        name, message = form.problem()
        return _status(request, row, error=message, field=name, status=422)
    try:
        saved = services.save_entry(
            audit=audit,
            standard=standard,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            entry=form.entry(),
        )
    except services.StaleVersion as stale:
        return _status(request, row, conflict=stale.current, status=409)
    except services.SelfAssessmentError as error:
        return _status(request, row, error=str(error), field=error.field, status=422)
    row = Row(standard=standard, entry=saved, url=_item_url(audit, standard))
    submitted_points = form.cleaned_data["points"].strip()
    context = {
        "row": row,
        "saved": saved,
        "oob": True,
        "points_changed": (str(saved.points) if saved.points is not None else "")
        not in {submitted_points, submitted_points + ".0"},
    }
    return HttpResponse(render_to_string("selfassessment/page.html#saved", context, request))


@require_POST
@login_required
def submit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    audit = _audit(request, year, code)
    try:
        services.submit(audit=audit, by=request.user)
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.SelfAssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "The self-assessment was submitted. It is read-only now; your auditor will see it beside the audit."
            ),
        )
    return redirect("self_assessment", year, code)


@require_POST
@login_required
def send_back(request: HttpRequest, year: int, code: str) -> HttpResponse:
    audit = _audit(request, year, code)
    try:
        services.send_back(audit=audit, by=request.user, comment=request.POST.get("comment", ""))
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.SelfAssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The self-assessment was returned; the agency can change it and submit it again."),
        )
    return redirect("self_assessment", year, code)
