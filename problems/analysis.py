"""问题库 analysis across cycles: problems (standards judged 基本符合 or 不符合) counted by year,
category, problem type and agency, and the recurring ones (屡查屡犯) — all counted in the
database, so the number of queries does not grow with the roster or the years.

A problem recurs when the same agency had a problem in an earlier cycle on the same standard
line (``checklist.problems.lineages``: a standard and its earlier versions) or of the same
problem type.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from agencies.models import Agency, Audit, Cycle
from checklist.models import Category, Problem, ProblemType
from checklist.problems import Recurrence

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
    """The problems the filters leave (rows of the 问题库's own table, ``checklist.Problem``,
    which holds each problem's year, agency, type and 屡查屡犯: nothing is joined to count
    them but the category's name when it is asked for)."""
    rows = Problem.objects.all()
    if filters.start:
        rows = rows.filter(year__gte=filters.start)
    if filters.end:
        rows = rows.filter(year__lte=filters.end)
    if filters.category:
        rows = rows.filter(category__name=filters.category)
    if filters.kind:  # the type, or a top-level type with its subtypes (through the index)
        kinds = ProblemType.objects.filter(Q(pk=filters.kind.pk) | Q(parent=filters.kind))
        rows = rows.filter(problem_type_id__in=list(kinds.values_list("pk", flat=True)))
    if filters.agency:
        rows = rows.filter(agency=filters.agency)
    return rows


def analysis(filters: Filters) -> dict:
    """Every figure of the page and of problems.xlsx."""
    rows = problems(filters)
    per_year, by_category = _counted(rows)
    years = _years(filters, rows, per_year)
    type_names = {t.pk: t for t in ProblemType.objects.select_related("parent")}
    top = list(
        rows.filter(problem_type__isnull=False)
        .values_list("problem_type_id")
        .annotate(n=Count("pk"), recurring=Count("pk", filter=Q(recurring=True)))
        .order_by("-n", "problem_type_id")[:TOP_TYPES]
    )
    # the agencies of the top types only, counted through the (type, agency) index
    agencies = dict(
        rows.filter(problem_type_id__in=[type_id for type_id, _n, _r in top])
        .values_list("problem_type_id")
        .annotate(n=Count("agency_id", distinct=True))
        .order_by()
    )
    top_types = [
        {
            "type": type_names.get(type_id),
            "count": n,
            "agencies": agencies.get(type_id, 0),
            "recurring": recurring,
        }
        for type_id, n, recurring in top
    ]
    return {
        "filters": filters,
        "years": years,
        "total": sum(y["problems"] for y in years),
        "recurring_total": sum(y["recurring"] for y in years),
        "by_category": [
            {"name": name, "counts": [counts.get(y["year"], 0) for y in years]}
            for name, counts in _by_name(by_category)
        ],
        "top_types": top_types,
        "untyped": sum(y["untyped"] for y in years),
        "heat": _heat(rows, type_names),
    }


def _by_name(by_category) -> list[tuple[str, dict]]:
    """The counts of each cycle's categories under one name each (组织机构管理 of every
    cycle is one row), in the checklist's order."""
    merged: dict[str, Counter] = {}
    for (_position, name), counts in sorted(by_category.items()):
        merged.setdefault(name, Counter()).update(counts)
    return list(merged.items())


def _counted(rows) -> tuple[dict, dict]:
    """One pass over the problems by year and category: each year's problems, recurring
    problems and problems not classified yet, and each category's problems a year."""
    per_year = defaultdict(lambda: [0, 0, 0])
    by_category = defaultdict(Counter)  # (position, name) → year → problems
    names = {
        pk: (position, name)
        for pk, position, name in Category.objects.values_list("pk", "position", "name")
    }
    for year, category_id, n, recurring, untyped in (
        rows.values_list("year", "category_id")
        .annotate(
            n=Count("pk"),
            recurring=Count("pk", filter=Q(recurring=True)),
            untyped=Count("pk", filter=Q(problem_type__isnull=True)),
        )
        .order_by()
    ):
        counts = per_year[year]
        counts[0], counts[1], counts[2] = counts[0] + n, counts[1] + recurring, counts[2] + untyped
        by_category[names[category_id]][year] += n
    return per_year, by_category


def _years(filters: Filters, rows, per_year: dict) -> list[dict]:
    """Each cycle in range: its audits, problems, recurring problems, agencies with problems,
    problems not classified yet."""
    cycles = Cycle.objects.order_by("year")
    if filters.start:
        cycles = cycles.filter(year__gte=filters.start)
    if filters.end:
        cycles = cycles.filter(year__lte=filters.end)
    # every cycle's audits counted through the cycle index (the years out of range are
    # left out below): a filter on the cycles would make it a join of every audit
    audits = Audit.objects.all()
    if filters.agency:
        audits = audits.filter(agency=filters.agency)
    year_of = dict(Cycle.objects.values_list("pk", "year"))
    roster = {
        year_of[cycle_id]: n
        for cycle_id, n in audits.values_list("cycle_id").annotate(n=Count("*")).order_by()
    }
    agencies = dict(
        rows.values_list("year").annotate(n=Count("agency_id", distinct=True)).order_by()
    )
    found = []
    for year in cycles.values_list("year", flat=True):
        n, recurring, untyped = per_year.get(year, (0, 0, 0))
        audited = roster.get(year, 0)
        found.append(
            {
                "year": year,
                "audits": audited,
                "problems": n,
                "recurring": recurring,
                "agencies": agencies.get(year, 0),
                "untyped": untyped,
                "per_audit": round(n / audited, 1) if audited else 0,
            }
        )
    return found


def _heat(rows, type_names) -> dict:
    """Agencies × top-level types: the agencies with most problems, and how many of each
    kind they had (a problem not classified counts under 未分类)."""
    top = list(
        rows.values_list("agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "agency_id")[:HEAT_AGENCIES]
    )
    if not top:
        return {"columns": [], "rows": [], "most": 0}
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=[a for a, _n in top])}
    cells = defaultdict(dict)
    for agency_id, kind, n in (
        rows.filter(agency_id__in=agencies)
        .annotate(kind=Coalesce("problem_type__parent_id", "problem_type_id", Value(UNTYPED)))
        .values_list("agency_id", "kind")
        .annotate(n=Count("pk"))
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
        problems(filters)
        .filter(recurring=True)
        .select_related("agency", "standard__category", "problem_type__parent", "assessment")
        .order_by("-year", "agency__code", "category__position", "standard__number")
    )


class ByYear:
    """The recurring problems for a Paginator, one page read from the years it falls in.

    The list runs newest cycle first and ``years`` already counts each year's recurring
    problems, so a page of 50 sorts only the rows of its one or two years, not the ten
    cycles' tens of thousands."""

    def __init__(self, rows, years: list[dict]):
        self.rows = rows
        self.counts = [(y["year"], y["recurring"]) for y in reversed(years) if y["recurring"]]

    def count(self) -> int:
        return sum(n for _year, n in self.counts)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, wanted: slice) -> list:
        start, stop = wanted.start or 0, wanted.stop
        spanned, before, seen = [], None, 0
        for year, n in self.counts:
            if seen + n > start and seen < stop:
                spanned.append(year)
                before = seen if before is None else before
            seen += n
        if not spanned:
            return []
        return list(self.rows.filter(year__in=spanned)[start - before : stop - before])


def earlier_years(rows) -> dict[int, Recurrence]:
    """Problem (assessment) id → the earlier years of each recurring problem listed, when
    the agency had a problem on the same standard line or of the same type (one query for
    a page of them)."""
    rows = list(rows)
    if not rows:
        return {}
    earlier = defaultdict(list)
    for agency_id, line, type_id, year in Problem.objects.filter(
        agency_id__in={r.agency_id for r in rows}, year__lt=max(r.year for r in rows)
    ).values_list("agency_id", "line", "problem_type_id", "year"):
        earlier[agency_id].append((line, type_id, year))
    found = {}
    for row in rows:
        years = {
            year
            for line, type_id, year in earlier[row.agency_id]
            if year < row.year
            and (line == row.line or (row.problem_type_id and type_id == row.problem_type_id))
        }
        if years:
            found[row.pk] = Recurrence(tuple(sorted(years)))
    return found
