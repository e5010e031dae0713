from dataclasses import dataclass, field
from functools import cached_property

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import require_manager
from agencies.access import (
    EDITABLE_STATUSES,
    can_edit_scores,
    can_verify_rectification,
    get_audit_for_scoring,
    get_cycle_for_office,
)
from agencies.models import Audit, attach_returns, documents_not_received, load_auditors
from security.events import audit_target, record
from security.models import Kind

from . import problems, services, workpaper
from .carried import open_problems
from .models import Applicability, Assessment, AssessmentChange, Result, Standard, Wording


class AssessmentForm(forms.Form):
    """The fields of one standard on the scoring page, as the browser sends them.

    The text limits are shown on the page (a counter near the limit) and the page sends the
    last saved text of a field that is over its limit, so that the other fields still save.
    """

    version = forms.IntegerField(min_value=0)
    result = forms.ChoiceField(choices=[("", ""), *Result.choices], required=False)
    points = forms.CharField(label=gettext_lazy("Points"), required=False, max_length=20)
    finding = forms.CharField(label=gettext_lazy("Finding"), required=False, max_length=5000)
    rectification = forms.CharField(
        label=gettext_lazy("Rectification requirement"), required=False, max_length=5000
    )
    not_applicable_reason = forms.CharField(
        label=gettext_lazy("Reason for 不适用"), required=False, max_length=2000
    )
    problem_type = forms.CharField(
        label=gettext_lazy("Problem type"), required=False, max_length=12
    )

    def problem(self) -> tuple[str, str]:
        """The first error as (field, message for the person who typed)."""
        for name, errors in self.errors.items():
            if name in ("version", "result"):
                # not typed by anyone: the page is out of date or was tampered with
                return name, _(
                    "The page is missing information needed to save. Copy what you typed "
                    "somewhere safe, then reload the page."
                )
            if name in self.fields:
                return name, f"{self.fields[name].label}：{errors[0]}"
        return "", _("The entry could not be read.")

    def entry(self) -> services.Entry:
        data = self.cleaned_data
        return services.Entry(
            result=data["result"],
            points=data["points"],
            finding=data["finding"],
            rectification=data["rectification"],
            not_applicable_reason=data["not_applicable_reason"],
            # sent only while the standard shows the field (a problem): else kept as it is
            problem_type=data["problem_type"] if "problem_type" in self.data else services.KEEP,
        )


# The text fields' lengths as AssessmentForm accepts them, for the page's counters.
TEXT_LIMITS = {
    name: field.max_length
    for name, field in AssessmentForm.base_fields.items()
    if isinstance(field, forms.CharField)
}

CHECKED = SafeString(" checked")
SELECTED = SafeString(" selected")

# Changes listed beside each standard; the admin keeps the whole history.
HISTORY_SHOWN = 10

# The words each standard's block repeats (29 times a page): translated once per request
# by scoring_labels(), not by a {% translate %} tag in every block (issue 16: the tags were
# a fifth of the page's template time).
LABELS = {
    "result": gettext_lazy("Result"),
    "points": gettext_lazy("Points"),
    "finding": gettext_lazy("Finding (问题描述)"),
    "rectification": gettext_lazy("Rectification requirement (整改要求)"),
    "not_applicable_reason": gettext_lazy("Reason for 不适用"),
    "veto": gettext_lazy("veto"),
    "not_scored": gettext_lazy("Not scored yet"),
    "no_changes": gettext_lazy("No changes yet."),
    "more_changes": gettext_lazy(
        "Only the latest changes are shown here; administrators find the whole history in "
        "the administration pages."
    ),
    "from_workpaper": gettext_lazy("from the work paper"),
    "loading_files": gettext_lazy("Loading the agency's files…"),
    "self_assessment": gettext_lazy("Agency's self-assessment"),
    "problem_type": gettext_lazy("Problem type (问题类型)"),
    "untyped": gettext_lazy("— not classified —"),
    "suggested": gettext_lazy("Suggested: "),
    "take_suggestion": gettext_lazy("Use it"),
    "wordings": gettext_lazy("Typical wording (常用表述)"),
    "into_finding": gettext_lazy("Into the finding"),
    "into_rectification": gettext_lazy("Into the requirement"),
}


def scoring_labels() -> dict[str, str]:
    return {key: str(text) for key, text in LABELS.items()}


@dataclass
class Row:
    """One standard on the scoring page with its assessment and history."""

    standard: Standard
    assessment: Assessment | None
    url: str
    changes: list = field(default_factory=list)
    evidence: list = field(default_factory=list)
    carried: list = field(default_factory=list)  # 上年问题 (checklist.carried)
    self_entry: object = None  # the agency's submitted 自评 of this standard (selfassessment)
    types: "ProblemTypes | None" = None  # the 问题库, for a problem's type field
    suggestion: object = None  # a type suggested for an untagged problem (checklist.problems)
    recurrence: object = None  # 屡查屡犯: the earlier years with the same problem

    @property
    def is_problem(self) -> bool:
        return problems.is_problem(self.assessment)

    @property
    def type_options(self) -> str:
        chosen = self.assessment.problem_type_id if self.assessment else None
        return self.types.options(chosen) if self.types else ""

    @property
    def wordings(self) -> list:
        """常用表述 of the chosen type, else of the suggested one."""
        if not self.types:
            return []
        chosen = self.assessment.problem_type_id if self.assessment else None
        return self.types.wordings.get(chosen or getattr(self.suggestion, "pk", None), [])

    @property
    def self_difference(self):
        """Self-assessed minus audited points, where both gave points."""
        mine, theirs = self.assessment, self.self_entry
        if mine is None or theirs is None or mine.points is None or theirs.points is None:
            return None
        return theirs.points - mine.points

    @cached_property
    def key(self) -> str:
        """The standard's id as text, for the element ids of its fields (rendered often)."""
        return str(self.standard.pk)

    @property
    def result_inputs(self) -> str:
        """The result buttons (a radio input and its label for each Result): built here
        rather than by a loop in the template for each of the page's 29 standards."""
        chosen = self.assessment.result if self.assessment else None
        return format_html_join(
            "\n",
            '<input type="radio" class="btn-check" name="result" value="{0}" '
            'id="result-{1}-{0}"{2}>\n'
            '<label class="btn btn-sm result-{0}" for="result-{1}-{0}">{3}</label>',
            (
                (value, self.key, CHECKED if value == chosen else "", label)
                for value, label in Result.choices
            ),
        )

    # The block's sentences with their numbers, built here rather than by {% blocktranslate %}
    # in the loop (same message ids, so the catalogue is unchanged).
    @cached_property
    def max_points(self) -> str:
        return floatformat(self.standard.max_points, "-1")

    @property
    def max_label(self) -> str:
        return _("max. %(points)s points") % {"points": self.max_points}

    @property
    def legend(self) -> str:
        return _("Assessment of standard %(code)s") % {"code": self.standard.code}

    @property
    def history_label(self) -> str:
        return _("History (version %(version)s)") % {"version": self.version}

    @property
    def evidence_label(self) -> str:
        count = len(self.evidence)
        return ngettext("Evidence (%(counter)s file)", "Evidence (%(counter)s files)", count) % {
            "counter": count
        }

    @property
    def saved_by_label(self) -> str:
        who, when = self.assessment.updated_by, self.assessment.updated_at
        return _("Last saved by %(who)s, %(when)s") % {
            "who": who.display_name if who else "",
            "when": date_format(localtime(when), "SHORT_DATETIME_FORMAT"),
        }

    @property
    def evidence_url(self) -> str:
        """link_evidence's URL: the standard's own with evidence/ (see checklist.urls and
        evidence.urls; a test checks that they agree)."""
        return f"{self.url}evidence/"

    @property
    def points_locked(self) -> bool:
        """符合 awards the maximum and 不适用 none: the points field is not for typing then."""
        return self.assessment is not None and self.assessment.result in (
            Result.COMPLIANT,
            Result.NOT_APPLICABLE,
        )

    @property
    def limits(self) -> dict[str, int]:
        return TEXT_LIMITS

    @property
    def version(self) -> int:
        return self.assessment.version if self.assessment else 0

    @property
    def recent_changes(self) -> list:
        return self.changes[:HISTORY_SHOWN]

    @property
    def more_changes(self) -> bool:
        return len(self.changes) > HISTORY_SHOWN

    @property
    def missing(self) -> list[str]:
        return self.assessment.missing() if self.assessment else []


class ProblemTypes:
    """The 问题库's leaf types as the page's select options (built once a request, for every
    problem's field) and their 常用表述."""

    def __init__(self):
        self.leaves = problems.leaf_types()
        self.wordings: dict[int, list] = {}
        for wording in Wording.objects.filter(problem_type__in=self.leaves):
            self.wordings.setdefault(wording.problem_type_id, []).append(wording)
        groups: dict[str, list] = {}
        for leaf in self.leaves:
            groups.setdefault(leaf.parent.name if leaf.parent_id else "", []).append(leaf)
        self.groups = groups

    def options(self, chosen: int | None) -> str:
        html = []
        for group, leaves in self.groups.items():
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((t.pk, SELECTED if t.pk == chosen else "", t.name) for t in leaves),
            )
            html.append(
                format_html('<optgroup label="{}">{}</optgroup>', group, options)
                if group
                else options
            )
        return format_html_join("", "{}", ((piece,) for piece in html))


def _problem_notes(audit: Audit, rows: list["Row"]) -> None:
    """The 问题库 on the rows: the types for the field, a suggestion for each untagged problem,
    屡查屡犯 where the agency had the same problem before."""
    types = ProblemTypes()
    assessments = {r.standard.pk: r.assessment for r in rows if r.assessment}
    suggested = problems.suggestions(audit, assessments)
    recurring = problems.recurring(audit, assessments)
    for row in rows:
        row.types = types
        row.suggestion = suggested.get(row.standard.pk)
        row.recurrence = recurring.get(row.standard.pk)


def _item_url(audit: Audit, standard: Standard, scoring_url: str = "") -> str:
    """The standard's URL on the scoring page (checklist.urls "assessment"): the page's own
    followed by "1-2/". With ``scoring_url`` given, no reverse() per standard: a page of 29
    spent more on them than on its queries (a test checks that both agree)."""
    scoring_url = scoring_url or reverse("scoring", args=[audit.cycle.year, audit.agency.code])
    return f"{scoring_url}{standard.category.position}-{standard.number}/"


def _rows(audit: Audit, standards) -> list[Row]:
    assessments = {
        a.standard_id: a
        for a in Assessment.objects.filter(audit=audit).select_related("updated_by")
    }
    changes: dict[int, list] = {}
    for change in AssessmentChange.objects.filter(assessment__audit=audit).select_related(
        "changed_by"
    ):
        changes.setdefault(change.assessment_id, []).append(change)
    # The agency's self-assessment once submitted (selfassessment, by its reverse name; the
    # status value is its SelfAssessment.Status.SUBMITTED): checklist does not import it.
    self_entries = {
        e.standard_id: e
        for e in audit.self_assessment_entries.filter(
            audit__self_assessment__status="submitted", standard__in=standards
        ).prefetch_related("files")
    }
    evidence: dict[int, list] = {}
    # The files cited for each standard (evidence.StandardEvidence, by its reverse name).
    for link in audit.evidence_links.select_related("file").order_by("file_id"):
        evidence.setdefault(link.standard_id, []).append(link.file)
    scoring_url = reverse("scoring", args=[audit.cycle.year, audit.agency.code])
    rows = []
    for standard in standards:
        assessment = assessments.get(standard.pk)
        rows.append(
            Row(
                standard=standard,
                assessment=assessment,
                url=_item_url(audit, standard, scoring_url),
                changes=changes.get(assessment.pk, []) if assessment else [],
                evidence=evidence.get(standard.pk, []),
                self_entry=self_entries.get(standard.pk),
            )
        )
    _problem_notes(audit, rows)
    return rows


def _sections(rows) -> list[dict]:
    """The rows grouped by category, in order."""
    sections: list[dict] = []
    for row in rows:
        category = row.standard.category
        if not sections or sections[-1]["category"] != category:
            sections.append({"category": category, "rows": []})
        sections[-1]["rows"].append(row)
    return sections


@require_safe
@login_required
def scoring(request: HttpRequest, year: int, code: str) -> HttpResponse:
    audit = get_audit_for_scoring(request.user, year, code)
    load_auditors(audit)
    attach_returns([audit])
    standards = services.applicable_standards(audit)
    rows = _rows(audit, standards)
    scores = services.audit_scores(audit, standards, [r.assessment for r in rows if r.assessment])
    problems = open_problems(audit)
    for row in rows:
        row.carried = problems.by_standard.pop(row.standard.pk, [])
    # items under a standard that is gone, or does not apply to this agency, are shown apart
    carried_elsewhere = problems.elsewhere + [
        item for items in problems.by_standard.values() for item in items
    ]
    context = {
        "audit": audit,
        "cycle": audit.cycle,
        "agency": audit.agency,
        "can_edit": can_edit_scores(request.user, audit),
        "labels": scoring_labels(),
        "sections": _sections(rows),
        "self_submitted": any(row.self_entry for row in rows),
        "summary": services.summary(scores, standards),
        "documents_not_received": documents_not_received(audit),
        "carried_elsewhere": carried_elsewhere,
        "carried_count": problems.count,
        "previous_audit": problems.previous,
        "can_close_carried": can_verify_rectification(request.user, audit),
        "mode_unset_standards": []
        if audit.agency.funding_mode
        else [s.code for s in standards if s.applies_to != Applicability.ALL],
    }
    return render(request, "checklist/scoring.html", context)


def _get_standard(audit: Audit, category: int, number: int) -> Standard:
    try:
        standard = Standard.objects.select_related("category").get(
            category__cycle=audit.cycle, category__position=category, number=number
        )
    except Standard.DoesNotExist:
        raise Http404 from None
    if not standard.applies_to_agency(audit.agency):
        raise Http404
    return standard


def _render_item(request, audit, standard, *, status=200, **extra) -> HttpResponse:
    rows = _rows(audit, [standard])
    context = {
        "audit": audit,
        "cycle": audit.cycle,
        "agency": audit.agency,
        "row": rows[0],
        "can_edit": can_edit_scores(request.user, audit),
        "labels": scoring_labels(),
        **extra,
    }
    return render(request, "checklist/scoring.html#item", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def assessment(request: HttpRequest, year: int, code: str, category: int, number: int):
    """One standard's fields: GET renders them afresh, POST saves them (autosave)."""
    audit = get_audit_for_scoring(request.user, year, code)
    standard = _get_standard(audit, category, number)
    if request.method == "GET":
        return _render_item(request, audit, standard)

    form = AssessmentForm(request.POST)
    if not form.is_valid():
        if audit.status in EDITABLE_STATUSES and not can_edit_scores(request.user, audit):
            raise PermissionDenied
        field, message = form.problem()
        return _status_response(request, standard, error=message, field=field, status=422)
    before = Assessment.objects.filter(audit=audit, standard=standard).first()
    try:
        saved = services.save_assessment(
            audit=audit,
            standard=standard,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            entry=form.entry(),
        )
    except services.StaleVersion as stale:
        return _status_response(request, standard, conflict=stale.current, status=409)
    except services.NotAllowed:
        raise PermissionDenied from None
    except services.ScoringError as error:
        return _status_response(request, standard, error=str(error), field=error.field, status=422)

    row = Row(
        standard=standard,
        assessment=saved,
        url=_item_url(audit, standard),
        changes=list(saved.changes.select_related("changed_by")[: HISTORY_SHOWN + 1]),
        self_entry=audit.self_assessment_entries.filter(
            audit__self_assessment__status="submitted", standard=standard
        ).first(),
    )
    # the type field appears (or goes) when the standard becomes (or stops being) a problem;
    # its notes (suggestion, 屡查屡犯, 常用表述) follow the type chosen
    type_field = problems.is_problem(before) != problems.is_problem(saved)
    type_notes = type_field or (before and before.problem_type_id) != saved.problem_type_id
    if type_notes:
        _problem_notes(audit, [row])
    submitted_points = form.cleaned_data["points"].strip()
    context = {
        "type_field": type_field,
        "type_notes": type_notes and not type_field,
        "audit": saved.audit,
        "cycle": audit.cycle,
        "agency": audit.agency,
        "row": row,
        "saved": saved,
        "oob": True,
        "can_edit": True,
        "labels": scoring_labels(),
        "points_changed": (str(saved.points) if saved.points is not None else "")
        not in {submitted_points, submitted_points + ".0"},
        "summary": services.stored_summary(saved.audit),
    }
    return HttpResponse(render_to_string("checklist/scoring.html#saved", context, request))


def _status_response(
    request, standard, *, status, error="", field="", conflict=None
) -> HttpResponse:
    context = {
        "row": Row(standard=standard, assessment=None, url=""),
        "error": error,
        "error_field": field,
        "conflict": conflict,
        "oob": True,
        "labels": scoring_labels(),
    }
    html = render_to_string("checklist/scoring.html#status", context, request)
    return HttpResponse(html, status=status)


def _workflow_redirect(audit: Audit) -> HttpResponse:
    return redirect("audit_detail", audit.cycle.year, audit.agency.code)


def _workflow_step(
    request, year, code, step, *, managers_only=False, security_event=None, **kwargs
) -> HttpResponse:
    audit = get_audit_for_scoring(request.user, year, code)
    if managers_only:
        require_manager(request.user)
    elif audit.status in EDITABLE_STATUSES and not can_edit_scores(request.user, audit):
        raise PermissionDenied
    try:
        step(audit=audit, by=request.user, **kwargs)
    except services.ScoringError as error:
        messages.error(request, str(error))
    else:
        if security_event:
            record(security_event, request=request, target=audit_target(audit))
        messages.success(
            request,
            _("Done: the audit is now %(status)s.")
            % {"status": Audit.objects.get(pk=audit.pk).get_status_display()},
        )
    return _workflow_redirect(audit)


@require_POST
@login_required
def submit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    return _workflow_step(request, year, code, services.submit_audit)


@require_POST
@login_required
def send_back(request: HttpRequest, year: int, code: str) -> HttpResponse:
    return _workflow_step(
        request,
        year,
        code,
        services.return_audit,
        managers_only=True,
        comment=request.POST.get("comment", ""),
    )


@require_POST
@login_required
def reopen(request: HttpRequest, year: int, code: str) -> HttpResponse:
    return _workflow_step(
        request,
        year,
        code,
        services.reopen_audit,
        managers_only=True,
        security_event=Kind.REOPEN,
        reason=request.POST.get("reason", ""),
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_safe
@login_required
def workpaper_xlsx(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """稽核工作底稿: the agency's scoring as an Excel workbook to take on site (office staff)."""
    audit = get_audit_for_scoring(request.user, year, code)
    response = HttpResponse(workpaper.build(audit), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, workpaper.file_name(audit))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def workpapers_zip(request: HttpRequest, year: int) -> HttpResponse:
    """The work papers of the agencies one is assigned to (a manager: all of the cycle's)
    as one ZIP, to take several agencies on site at once."""
    cycle = get_cycle_for_office(request.user, year)
    audits = cycle.audits.roster().select_related("cycle")
    if not request.user.is_manager:
        audits = audits.filter(auditors=request.user)
    audits = list(audits)
    if not audits:
        messages.error(request, _("You are not assigned to any agency of this cycle."))
        return redirect("my_audits", year)
    response = HttpResponse(workpaper.bundle(audits), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{cycle.year}-稽核工作底稿.zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _require_workpaper_editor(request, audit) -> None:
    if not can_edit_scores(request.user, audit):
        if audit.status in EDITABLE_STATUSES:
            raise PermissionDenied
        raise services.ScoringError(
            _("This audit is %(status)s: a work paper can no longer be brought in.")
            % {"status": audit.get_status_display()}
        )


@require_POST
@login_required
def workpaper_upload(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Compare an uploaded work paper with the portal and show what 写入系统 would do."""
    audit = get_audit_for_scoring(request.user, year, code)
    back = redirect("scoring", year, code)
    try:
        _require_workpaper_editor(request, audit)
        upload = request.FILES.get("workpaper")
        if upload is None:
            raise workpaper.WorkpaperError(_("Choose the work paper file to upload."))
        key, cells = workpaper.read(upload, audit)
        rows = workpaper.compare(audit, key, cells)
    except (workpaper.WorkpaperError, services.ScoringError) as error:
        messages.error(request, str(error))
        return back
    by_kind = {kind: [r for r in rows if r.kind == kind] for kind in workpaper.KINDS}
    context = {
        "audit": audit,
        "cycle": audit.cycle,
        "agency": audit.agency,
        "changed": by_kind["changed"],
        "conflicts": by_kind["conflict"],
        "invalid": by_kind["invalid"],
        "unchanged": len(by_kind["unchanged"]),
        "token": "" if by_kind["invalid"] else workpaper.preview_token(audit, rows),
    }
    status = 422 if by_kind["invalid"] else 200
    return render(request, "checklist/workpaper_preview.html", context, status=status)


@require_POST
@login_required
def workpaper_apply(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Save what the preview showed, through the scoring service, all or none."""
    audit = get_audit_for_scoring(request.user, year, code)
    choices = {
        name.removeprefix("choice-"): value
        for name, value in request.POST.items()
        if name.startswith("choice-")
    }
    try:
        _require_workpaper_editor(request, audit)
        saved = workpaper.apply(
            audit=audit, token=request.POST.get("token", ""), choices=choices, by=request.user
        )
    except (workpaper.WorkpaperError, services.ScoringError) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(n)s standards saved from the work paper; their change history says so.")
            % {"n": saved},
        )
    return redirect("scoring", year, code)
