from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from agencies.models import Cycle
from checklist.models import Category
from checklist.problems import leaf_types
from common.paging import paginate

from . import analysis, charts, export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_office(user) -> None:
    if not user.is_office_staff:
        raise PermissionDenied


@require_safe
@login_required
def analysis_page(request: HttpRequest) -> HttpResponse:
    """问题库 analysis across cycles (office staff): by year, category, type and agency, the
    agencies × types heat map and the recurring problems, with their filters."""
    _require_office(request.user)
    filters = analysis.read_filters(request.GET)
    figures = analysis.analysis(filters)
    recurring = paginate(
        request, analysis.ByYear(analysis.recurring_rows(filters), figures["years"])
    )
    years = analysis.earlier_years(recurring.page.object_list)
    for row in recurring.page.object_list:
        row.earlier = years.get(row.pk)
    types = {}
    for leaf in leaf_types():
        types.setdefault(leaf.parent or leaf, []).append(leaf)
    # (a top-level type, its subtypes: none when it is a type of its own)
    type_groups = [(group, [t for t in leaves if t != group]) for group, leaves in types.items()]
    context = {
        **figures,
        "trend_chart": charts.trend_svg(figures["years"]),
        "types_chart": charts.types_svg(figures["top_types"]),
        "recurring": recurring,
        "cycle_years": list(Cycle.objects.order_by("year").values_list("year", flat=True)),
        "categories": list(
            Category.objects.order_by("position").values_list("name", flat=True).distinct()
        ),
        "type_groups": type_groups,
    }
    return render(request, "problems/analysis.html", context)


@require_safe
@login_required
def analysis_xlsx(request: HttpRequest) -> HttpResponse:
    """The same figures as Excel, with the whole list of recurring problems."""
    _require_office(request.user)
    filters = analysis.read_filters(request.GET)
    response = HttpResponse(export.workbook(filters), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, "问题库分析.xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
