"""问题库 in the scoring: the problem type suggested for a finding, and recurring problems
(屡查屡犯) — a problem the same agency also had in an earlier cycle, on the same standard
(followed through ``Standard.previous`` when its text or position changed) or of the same
problem type.

A problem is a standard judged 基本符合 or 不符合: what the report lists with its
rectification requirement.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from agencies.models import Agency, Audit

from .models import Assessment, Problem, ProblemType, Result, Standard

PROBLEM_RESULTS = (Result.LARGELY_COMPLIANT, Result.NON_COMPLIANT)


def is_problem(assessment: Assessment | None) -> bool:
    return assessment is not None and assessment.result in PROBLEM_RESULTS


def lineages() -> dict[int, int]:
    """Every standard's id → the id of the first standard of its line (itself when it has
    no ``previous``): the same standard across cycles shares one. One query; a checklist
    holds tens of standards a cycle, whatever the roster."""
    previous = dict(Standard.objects.values_list("id", "previous_id"))
    roots: dict[int, int] = {}
    for start in previous:
        seen, current = [], start
        while current not in roots and previous.get(current) and current not in seen:
            seen.append(current)
            current = previous[current]
        root = roots.get(current, current)
        for standard_id in [*seen, current]:
            roots[standard_id] = root
    return roots


REFRESHED = (
    "audit_id",
    "year",
    "category_id",
    "standard_id",
    "line",
    "problem_type_id",
    "recurring",
)


@transaction.atomic
def refresh(agency_ids, roots: dict[int, int] | None = None) -> None:
    """Bring the 问题库's rows (``Problem``) of these agencies in step with their
    assessments: one row per problem, recurring when the agency had a problem on the same
    standard line or of the same type in an earlier cycle. Five queries at most, whatever
    the number of agencies; rows that did not change are not written. The agencies' rows
    are locked first, so that two saves refreshing the same agency (two cycles of it, say)
    take turns instead of both inserting the same row; whoever calls it outside a
    transaction (a management command, a test's setup) gets one of its own."""
    agency_ids = list(agency_ids)
    list(Agency.objects.select_for_update().filter(pk__in=agency_ids).values_list("pk"))
    roots = lineages() if roots is None else roots
    wanted = {problem.pk: problem for problem in _derived(agency_ids, roots)}
    existing = {
        p.pk: p for p in Problem.objects.filter(agency_id__in=agency_ids).only("pk", *REFRESHED)
    }
    gone = [pk for pk in existing if pk not in wanted]
    if gone:
        Problem.objects.filter(pk__in=gone).delete()
    new = [problem for pk, problem in wanted.items() if pk not in existing]
    if new:
        Problem.objects.bulk_create(new)
    changed = [
        problem
        for pk, problem in wanted.items()
        if pk in existing
        and any(getattr(existing[pk], f) != getattr(problem, f) for f in REFRESHED)
    ]
    if changed:
        Problem.objects.bulk_update(changed, [f.removesuffix("_id") for f in REFRESHED])


def rebuild(batch: int = 1000) -> int:
    """Every agency's 问题库 rows rebuilt from the assessments (``manage.py
    refresh_problems``, and after rows were written in bulk); the number of problems."""
    roots = lineages()
    agency_ids = list(Agency.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(agency_ids), batch):
        refresh(agency_ids[start : start + batch], roots)
    return Problem.objects.count()


def _derived(agency_ids, roots) -> list[Problem]:
    """The rows the agencies' assessments call for."""
    by_agency: dict[int, list] = defaultdict(list)
    for row in (
        Assessment.objects.filter(audit__agency_id__in=agency_ids, result__in=PROBLEM_RESULTS)
        .values_list(
            "pk",
            "audit_id",
            "audit__agency_id",
            "audit__cycle__year",
            "standard__category_id",
            "standard_id",
            "problem_type_id",
        )
        .order_by()
    ):
        by_agency[row[2]].append(row)
    found = []
    for rows in by_agency.values():
        first_on_line: dict[int, int] = {}  # the agency's first year with a problem there
        first_of_type: dict[int, int] = {}
        for _pk, _audit, _agency, year, _category, standard_id, type_id in rows:
            line = roots.get(standard_id, standard_id)
            first_on_line[line] = min(year, first_on_line.get(line, year))
            if type_id:
                first_of_type[type_id] = min(year, first_of_type.get(type_id, year))
        for pk, audit_id, agency_id, year, category_id, standard_id, type_id in rows:
            line = roots.get(standard_id, standard_id)
            found.append(
                Problem(
                    assessment_id=pk,
                    audit_id=audit_id,
                    agency_id=agency_id,
                    year=year,
                    category_id=category_id,
                    standard_id=standard_id,
                    line=line,
                    problem_type_id=type_id,
                    recurring=first_on_line[line] < year
                    or bool(type_id and first_of_type[type_id] < year),
                )
            )
    return found


def leaf_types() -> list[ProblemType]:
    """The types a finding can be tagged with (those without subtypes), in the tree's order."""
    return list(
        ProblemType.objects.filter(children__isnull=True)
        .select_related("parent")
        .order_by("parent__position", "parent__name", "position", "name")
    )


def suggestions(audit: Audit, assessments: dict[int, Assessment]) -> dict[int, ProblemType]:
    """A type for each untagged problem of the audit (standard id → type): the type whose
    keywords the finding names most; else the type most often chosen on the same standard
    (in any cycle, by any auditor). The auditor confirms it; nothing is saved here."""
    untagged = {
        standard_id: a
        for standard_id, a in assessments.items()
        if is_problem(a) and a.problem_type_id is None
    }
    if not untagged:
        return {}
    types = leaf_types()
    by_id = {t.pk: t for t in types}
    roots = lineages()
    chosen: dict[int, Counter] = defaultdict(Counter)
    for standard_id, type_id, n in _type_counts():
        chosen[roots.get(standard_id, standard_id)][type_id] += n
    found = {}
    for standard_id, assessment in untagged.items():
        text = assessment.finding
        hits = [(sum(text.count(w) for w in t.keyword_list()), t) for t in types]
        best = max(hits, key=lambda hit: hit[0], default=(0, None))
        if best[0] > 0:
            found[standard_id] = best[1]
            continue
        counts = chosen.get(roots.get(standard_id, standard_id))
        if counts:
            type_id = min(counts, key=lambda t: (-counts[t], t))
            if type_id in by_id:
                found[standard_id] = by_id[type_id]
    return found


def _type_counts():
    return (
        Assessment.objects.filter(problem_type__isnull=False, result__in=PROBLEM_RESULTS)
        .values_list("standard_id", "problem_type_id")
        .annotate(n=Count("id"))
        .order_by()
    )


@dataclass(frozen=True)
class Recurrence:
    """A problem of this cycle that the agency also had before: in which years."""

    years: tuple[int, ...]

    @property
    def label(self) -> str:
        return "屡查屡犯（" + "、".join(str(y) for y in self.years) + "）"


def recurring(audit: Audit, assessments: dict[int, Assessment] | None = None) -> dict:
    """Standard id → Recurrence for each problem of ``audit`` that its agency also had in an
    earlier cycle (same standard line or same problem type). Three queries."""
    if assessments is None:
        assessments = {a.standard_id: a for a in Assessment.objects.filter(audit=audit)}
    current = {s: a for s, a in assessments.items() if is_problem(a)}
    if not current:
        return {}
    earlier = Assessment.objects.filter(
        audit__agency_id=audit.agency_id,
        audit__cycle__year__lt=audit.cycle.year,
        result__in=PROBLEM_RESULTS,
    ).values_list("standard_id", "problem_type_id", "audit__cycle__year")
    return match_earlier(current, list(earlier), lineages())


def match_earlier(current: dict[int, Assessment], earlier: list, roots: dict[int, int]) -> dict:
    """Standard id → Recurrence for each of ``current`` (standard id → problem) that one of
    ``earlier`` ((standard id, type id, year) of the same agency) matches by line or type."""
    by_line: dict[int, set] = defaultdict(set)
    by_type: dict[int, set] = defaultdict(set)
    for standard_id, type_id, year in earlier:
        by_line[roots.get(standard_id, standard_id)].add(year)
        if type_id:
            by_type[type_id].add(year)
    found = {}
    for standard_id, assessment in current.items():
        years = set(by_line.get(roots.get(standard_id, standard_id), ()))
        if assessment.problem_type_id:
            years |= by_type.get(assessment.problem_type_id, set())
        if years:
            found[standard_id] = Recurrence(tuple(sorted(years)))
    return found


def recurring_in_cycle(cycle) -> list[tuple[Audit, Standard, Recurrence, int | None]]:
    """Every recurring problem of the cycle's finalized audits, by agency then standard, with
    its problem type's id (for the circular): four queries whatever the roster."""
    audits = {
        a.pk: a
        for a in Audit.objects.filter(cycle=cycle, status="finalized").select_related("agency")
    }
    if not audits:
        return []
    problems = (
        Assessment.objects.filter(audit_id__in=audits, result__in=PROBLEM_RESULTS)
        .select_related("standard__category")
        .only(
            "audit_id",
            "standard_id",
            "problem_type_id",
            "result",
            "standard__number",
            "standard__text",
            "standard__category__position",
        )
    )
    by_agency: dict[int, dict[int, Assessment]] = defaultdict(dict)
    for a in problems:
        by_agency[audits[a.audit_id].agency_id][a.standard_id] = a
    earlier: dict[int, list] = defaultdict(list)
    rows = Assessment.objects.filter(
        audit__agency_id__in=list(by_agency),
        audit__cycle__year__lt=cycle.year,
        result__in=PROBLEM_RESULTS,
    ).values_list("audit__agency_id", "standard_id", "problem_type_id", "audit__cycle__year")
    for agency_id, standard_id, type_id, year in rows.iterator(chunk_size=2000):
        earlier[agency_id].append((standard_id, type_id, year))
    roots = lineages()
    found = []
    for audit in sorted(audits.values(), key=lambda a: a.serial):
        current = by_agency.get(audit.agency_id, {})
        matches = match_earlier(current, earlier.get(audit.agency_id, []), roots)
        for standard_id, recurrence in matches.items():
            problem = current[standard_id]
            found.append((audit, problem.standard, recurrence, problem.problem_type_id))
    found.sort(key=lambda row: (row[0].serial, row[1].category.position, row[1].number))
    return found
