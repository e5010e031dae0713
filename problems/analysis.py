"""问题库 analysis across cycles: problems (standards judged 基本符合 or 不符合) counted by year,
category, problem type and agency, and the recurring ones (屡查屡犯) — all counted in the
database, so the number of queries does not grow with the roster or the years.

A problem recurs when the same agency had a problem in an earlier cycle on the same standard
line (``checklist.problems.lineages``: a standard and its earlier versions) or of the same
problem type.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from agencies.models import Agency, Audit, Cycle
from checklist.models import Assessment, Category, ProblemType
from checklist.problems import PROBLEM_RESULTS, Recurrence, lineages, match_earlier

TOP_TYPES = 10  # the most frequent types listed
HEAT_AGENCIES = 15  # the agencies with most problems in the heat map
UNTYPED = 0  # the heat map's and the lists' key for problems not classified yet


@dataclass
class Filters:
    """What the page is narrowed to (each empty when not chosen)."""

    start: int | None = None
    end: int | None = None
    category: str = ""
    kind: ProblemType | None = None  # a type, or a top-level type with its subtypes
    agency: Agency | None = None
    errors: list[str] = field(default_factory=list)

    def params(self) -> dict:
        values = {
            "from": self.start,
            "to": self.end,
            "category": self.category,
            "type": self.kind.pk if self.kind else None,
            "agency": self.agency.code if self.agency else None,
        }
        return {k: v for k, v in values.items() if v not in (None, "")}

    @property
    def query(self) -> str:
        return urlencode(self.params())


def _year(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if len(text) == 4 and text.isascii() and text.isdigit():
        return int(text)
    raise ValueError


def read_filters(params) -> Filters:
    """The filters of the query string; one that cannot be read is named and left out."""
    found = Filters()
    for name in ("from", "to"):
        try:
            value = _year(params.get(name))
        except ValueError:
            found.errors.append(_("The year must be written as four digits, such as 2023."))
            continue
        setattr(found, "start" if name == "from" else "end", value)
    category = (params.get("category") or "").strip()
    if category:
        if Category.objects.filter(name=category).exists():
            found.category = category
        else:
            found.errors.append(_("There is no category %(name)s.") % {"name": category[:50]})
    kind = (params.get("type") or "").strip()
    if kind:
        chosen = None
        if kind.isascii() and kind.isdigit() and len(kind) <= 9:
            chosen = ProblemType.objects.select_related("parent").filter(pk=int(kind)).first()
        if chosen is None:
            found.errors.append(_("Choose a problem type from the list."))
        found.kind = chosen
    code = (params.get("agency") or "").strip()
    if code:
        found.agency = Agency.objects.filter(code=code[:20]).first()
        if found.agency is None:
            found.errors.append(
                _("There is no agency with the code %(code)s.") % {"code": code[:20]}
            )
    return found


def problems(filters: Filters):
    """The problems the filters leave."""
    rows = Assessment.objects.filter(result__in=PROBLEM_RESULTS)
    if filters.start:
        rows = rows.filter(audit__cycle__year__gte=filters.start)
    if filters.end:
        rows = rows.filter(audit__cycle__year__lte=filters.end)
    if filters.category:
        rows = rows.filter(standard__category__name=filters.category)
    if filters.kind:
        rows = rows.filter(Q(problem_type=filters.kind) | Q(problem_type__parent=filters.kind))
    if filters.agency:
        rows = rows.filter(audit__agency=filters.agency)
    return rows


def _line(roots: dict[int, int]):
    """A standard's line in SQL: the id of its first version (a CASE over the few standards
    that have earlier versions; every other standard is its own line)."""
    members: dict[int, list[int]] = defaultdict(list)
    for standard_id, root in roots.items():
        if standard_id != root:
            members[root].append(standard_id)
    if not members:
        return F("standard_id")
    return Case(
        *(When(standard_id__in=ids, then=Value(root)) for root, ids in sorted(members.items())),
        default=F("standard_id"),
        output_field=IntegerField(),
    )


def with_recurrence(rows, roots: dict[int, int] | None = None):
    """``rows`` marked ``recurring``: the agency had a problem in an earlier cycle on the
    same standard line or of the same type."""
    roots = lineages() if roots is None else roots
    line = _line(roots)
    earlier = (
        Assessment.objects.filter(
            result__in=PROBLEM_RESULTS,
            audit__agency_id=OuterRef("audit__agency_id"),
            audit__cycle__year__lt=OuterRef("audit__cycle__year"),
        )
        .annotate(line=line)
        .filter(Q(line=OuterRef("line")) | Q(problem_type_id=OuterRef("problem_type_id")))
    )
    return rows.annotate(line=line).annotate(recurring=Exists(earlier))


def analysis(filters: Filters) -> dict:
    """Every figure of the page and of problems.xlsx."""
    roots = lineages()
    rows = with_recurrence(problems(filters), roots)
    years = _years(filters, rows)
    by_category = defaultdict(dict)
    for name, year, n in (
        rows.values_list("standard__category__name", "audit__cycle__year")
        .annotate(n=Count("id"))
        .order_by("standard__category__position", "standard__category__name", "audit__cycle__year")
    ):
        by_category[name][year] = n
    type_names = {t.pk: t for t in ProblemType.objects.select_related("parent")}
    top_types = [
        {
            "type": type_names.get(type_id),
            "count": n,
            "agencies": agencies,
            "recurring": recurring,
        }
        for type_id, n, agencies, recurring in rows.values_list("problem_type_id")
        .annotate(
            n=Count("id"),
            agencies=Count("audit__agency_id", distinct=True),
            recurring=Count("id", filter=Q(recurring=True)),
        )
        .filter(problem_type__isnull=False)
        .order_by("-n", "problem_type_id")[:TOP_TYPES]
    ]
    return {
        "filters": filters,
        "years": years,
        "total": sum(y["problems"] for y in years),
        "recurring_total": sum(y["recurring"] for y in years),
        "by_category": [
            {"name": name, "counts": [counts.get(y["year"], 0) for y in years]}
            for name, counts in by_category.items()
        ],
        "top_types": top_types,
        "untyped": sum(y["untyped"] for y in years),
        "heat": _heat(rows, type_names),
    }


def _years(filters: Filters, rows) -> list[dict]:
    """Each cycle in range: its audits, problems, recurring problems, agencies with problems,
    problems not classified yet."""
    cycles = Cycle.objects.order_by("year")
    if filters.start:
        cycles = cycles.filter(year__gte=filters.start)
    if filters.end:
        cycles = cycles.filter(year__lte=filters.end)
    audits = Audit.objects.filter(cycle__in=cycles)
    if filters.agency:
        audits = audits.filter(agency=filters.agency)
    roster = dict(audits.values_list("cycle__year").annotate(n=Count("id")).order_by())
    counted = {
        year: (n, recurring, agencies, untyped)
        for year, n, recurring, agencies, untyped in rows.values_list("audit__cycle__year")
        .annotate(
            n=Count("id"),
            recurring=Count("id", filter=Q(recurring=True)),
            agencies=Count("audit__agency_id", distinct=True),
            untyped=Count("id", filter=Q(problem_type__isnull=True)),
        )
        .order_by()
    }
    found = []
    for year in cycles.values_list("year", flat=True):
        n, recurring, agencies, untyped = counted.get(year, (0, 0, 0, 0))
        audited = roster.get(year, 0)
        found.append(
            {
                "year": year,
                "audits": audited,
                "problems": n,
                "recurring": recurring,
                "agencies": agencies,
                "untyped": untyped,
                "per_audit": round(n / audited, 1) if audited else 0,
            }
        )
    return found


def _heat(rows, type_names) -> dict:
    """Agencies × top-level types: the agencies with most problems, and how many of each
    kind they had (a problem not classified counts under 未分类)."""
    top = list(
        rows.values_list("audit__agency_id")
        .annotate(n=Count("id"))
        .order_by("-n", "audit__agency_id")[:HEAT_AGENCIES]
    )
    if not top:
        return {"columns": [], "rows": [], "most": 0}
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=[a for a, _n in top])}
    cells = defaultdict(dict)
    for agency_id, kind, n in (
        rows.filter(audit__agency_id__in=agencies)
        .annotate(kind=Coalesce("problem_type__parent_id", "problem_type_id", Value(UNTYPED)))
        .values_list("audit__agency_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        cells[agency_id][kind] = n
    kinds = sorted(
        {k for counts in cells.values() for k in counts},
        key=lambda k: (k == UNTYPED, type_names[k].position if k in type_names else 0, k),
    )
    most = max((n for counts in cells.values() for n in counts.values()), default=0)
    return {
        "columns": [type_names[k].name if k in type_names else _("Not classified") for k in kinds],
        "rows": [
            {
                "agency": agencies[agency_id],
                "total": total,
                "cells": [_cell(cells[agency_id].get(k, 0), most) for k in kinds],
            }
            for agency_id, total in top
        ],
        "most": most,
    }


def _cell(n: int, most: int) -> dict:
    """A heat map cell: its count and its shade (0 none, 1–4 from few to most)."""
    return {"n": n, "level": 0 if not n else min(4, 1 + (4 * n - 1) // max(most, 1))}


def recurring_rows(filters: Filters):
    """The recurring problems, newest cycle first, then by agency and standard."""
    return (
        with_recurrence(problems(filters))
        .filter(recurring=True)
        .select_related(
            "audit__agency", "audit__cycle", "standard__category", "problem_type__parent"
        )
        .order_by(
            "-audit__cycle__year",
            "audit__agency__code",
            "standard__category__position",
            "standard__number",
        )
    )


def earlier_years(rows) -> dict[int, Recurrence]:
    """Assessment id → the earlier years of each recurring problem listed (one query for a
    page of them)."""
    rows = list(rows)
    if not rows:
        return {}
    roots = lineages()
    earlier = defaultdict(list)
    for agency_id, standard_id, type_id, year in Assessment.objects.filter(
        result__in=PROBLEM_RESULTS,
        audit__agency_id__in={r.audit.agency_id for r in rows},
        audit__cycle__year__lt=max(r.audit.cycle.year for r in rows),
    ).values_list("audit__agency_id", "standard_id", "problem_type_id", "audit__cycle__year"):
        earlier[agency_id].append((standard_id, type_id, year))
    found = {}
    for row in rows:
        before = [e for e in earlier[row.audit.agency_id] if e[2] < row.audit.cycle.year]
        match = match_earlier({row.standard_id: row}, before, roots).get(row.standard_id)
        if match:
            found[row.pk] = match
    return found
