import hashlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import require_manager
from security import events
from security.models import Kind

from .forms import YEAR_CHOICES, NextCycleForm
from .services import (
    NextCyclePlan,
    PlanError,
    build_plan,
    create_next_cycle,
    latest_cycle,
    roster_from_xlsx,
)


def fingerprint(plan: NextCyclePlan) -> str:
    """What the preview showed, so that 创建 makes exactly what the manager checked."""
    shown = {
        "source": plan.source.pk,
        "year": plan.year,
        "title": plan.title,
        "deadline": str(plan.document_deadline),
        "self_deadline": str(plan.self_assessment_deadline),
        "days": plan.rectification_days,
        "format": plan.report_number_format,
        "roster": [(e.code, e.name, e.funding_mode) for e in plan.roster],
        "documents": [e.title for e in plan.documents],
        "standards": [e.text for e in plan.standards],
        "year_choices": [(e.choice_field, e.year_choice) for e in plan.naming_a_year],
    }
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()


def _page(request, form, *, plan=None, status=200, **context):
    context = {
        "form": form,
        "source": form.source,
        "plan": plan,
        "year_choices": YEAR_CHOICES,
        **context,
    }
    if plan is not None:
        context["fingerprint"] = fingerprint(plan)
    return render(request, "cycles/new.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def new_cycle(request: HttpRequest) -> HttpResponse:
    """Start the next cycle from the latest: the form, its preview, then 创建 (managers)."""
    require_manager(request.user)
    source = latest_cycle()
    if source is None:
        messages.error(
            request,
            _("There is no cycle to start from yet: an administrator loads the first one."),
        )
        return redirect("cycle_list")
    if request.method == "GET":
        return _page(request, NextCycleForm(source=source))
    data = request.POST.copy()
    upload = request.FILES.get("roster_file")
    loaded = upload is not None
    if loaded:
        try:
            data["roster"] = roster_from_xlsx(upload)
        except PlanError as error:
            form = NextCycleForm(data, source=source)
            form.is_valid()
            form.add_error("roster_file", str(error))
            return _page(request, form, status=422)
    form = NextCycleForm(data, source=source)
    if not form.is_valid():
        messages.error(request, _("Some fields need correcting; each says what is wrong."))
        return _page(request, form, status=422)
    plan, errors = build_plan(source, form.values())
    if errors:
        for field, error in errors:
            form.add_error(field, error)
        if form.has_error("roster"):
            messages.error(request, _("The roster needs correcting; nothing was created."))
        else:
            messages.error(request, _("Some entries need correcting; nothing was created."))
        return _page(request, form, status=422)
    if request.POST.get("action") == "create" and not loaded:
        if request.POST.get("previewed") == fingerprint(plan):
            try:
                cycle = create_next_cycle(plan, by=request.user)
            except PlanError as error:
                messages.error(request, str(error))
                return _page(request, form, plan=plan, status=409)
            events.record(
                Kind.CYCLE_CREATED,
                request=request,
                target=cycle.title,
                detail=plan.year_decisions(),
            )
            messages.success(
                request,
                _(
                    "%(title)s was created with %(n)s agencies. It is now the current cycle; %(previous)s stays readable as issued."
                )
                % {"title": cycle.title, "n": len(plan.roster), "previous": source.title},
            )
            return redirect("cycle_overview", cycle.year)
        messages.warning(
            request,
            _("Something changed since the preview: check the preview again, then create."),
        )
    elif loaded:
        messages.info(
            request,
            _("The roster was loaded from the file (%(n)s agencies): check it below, then create.")
            % {"n": len(plan.roster)},
        )
    return _page(request, form, plan=plan)
