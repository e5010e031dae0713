"""The 问题库 part of `make bench` (issue 31, item 4): the analysis page (/problems/) with ten
cycles of problems for every agency of the roster (5,000 with BENCH_AGENCIES=5000), timed
alternately with the trivial view, whole and narrowed to one type. Target: ≤ 200 ms.

Ten earlier cycles (2010–2019) are written in bulk: the same checklist each year, each
standard linked to its version of the year before, every agency audited every year with
three problems (基本符合 or 不符合) on standards drawn at random, most of them tagged with a
problem type — about one in four recurs, as an office's history would.
"""

import random
import time
from decimal import Decimal

TARGET_MS = 200
FIRST_YEAR, CYCLES = 2010, 10
PROBLEMS_PER_AUDIT = 3


def build(manager) -> int:
    """The ten cycles; the number of problems written."""
    from agencies.models import Agency, Audit, Cycle
    from checklist import problem_types
    from checklist.models import Assessment, Category, ProblemType, Standard
    from checklist.problems import rebuild

    rng = random.Random(31)  # noqa: S311 (the shape of benchmark data, not a secret)
    problem_types.load()
    leaves = list(ProblemType.objects.filter(children__isnull=True))
    seed = Cycle.objects.get(year=2023)
    agencies = list(Agency.objects.values_list("pk", flat=True))
    previous_standards: dict[tuple[int, int], int] = {}
    written = 0
    for year in range(FIRST_YEAR, FIRST_YEAR + CYCLES):
        cycle = Cycle.objects.create(
            year=year,
            title=f"{year}年度稽核（基准）",
            report_number_format="稽核〔{year}〕{code}号",
        )
        standards = []
        for category in seed.categories.order_by("position"):
            copy = Category.objects.create(
                cycle=cycle, position=category.position, name=category.name
            )
            standards += Standard.objects.bulk_create(
                Standard(
                    category=copy,
                    number=s.number,
                    text=s.text,
                    max_points=s.max_points,
                    previous_id=previous_standards.get((category.position, s.number)),
                )
                for s in category.standards.order_by("number")
            )
        previous_standards = {
            (s.category.position, s.number): s.pk
            for s in Standard.objects.filter(category__cycle=cycle).select_related("category")
        }
        audits = Audit.objects.bulk_create(
            (
                Audit(cycle=cycle, agency_id=agency_id, serial=n, status="finalized")
                for n, agency_id in enumerate(agencies, start=1)
            ),
            batch_size=2000,
        )
        rows = []
        for audit in audits:
            for standard in rng.sample(standards, PROBLEMS_PER_AUDIT):
                rows.append(
                    Assessment(
                        audit=audit,
                        standard=standard,
                        result=rng.choice(["largely", "non_compliant"]),
                        points=Decimal("5"),
                        max_points=standard.max_points,
                        finding="抽查发现记录不全",
                        problem_type=rng.choice(leaves) if rng.random() < 0.7 else None,
                        updated_by=manager,
                    )
                )
        Assessment.objects.bulk_create(rows, batch_size=5000)
        written += len(rows)
    started = time.perf_counter()
    rebuild()  # written in bulk, past save_assessment: the 问题库's rows as refresh_problems
    print(
        f"问题库 rows rebuilt (manage.py refresh_problems) in {time.perf_counter() - started:.1f} s"
    )
    _analyze()
    return written


def _analyze() -> None:
    """The tables just filled as ten years of use leave them: PostgreSQL's autovacuum would
    have vacuumed and analyzed them (without the visibility map every index-only count
    reads the table too); SQLite's ANALYZE likewise."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("checklist_problem", "checklist_assessment", "agencies_audit"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")


def run(manager, pages, trivial) -> bool:
    """Build the cycles, then time the page whole and narrowed; print the figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from checklist.models import ProblemType

    started = time.perf_counter()
    written = build(manager)
    built = time.perf_counter() - started
    kind = ProblemType.objects.get(name="审批手续不全")
    urls = {"问题库 (all)": "/problems/", "问题库 (one type)": f"/problems/?type={kind.pk}"}
    from __main__ import alternated_medians_ms  # bench.py: the same timing as every page

    fns = [pages.get("manager", url) for url in urls.values()]
    medians = alternated_medians_ms(*fns, trivial)
    queries = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as captured:
            pages.clients["manager"].get(url)
        queries[name] = len(captured)
    ok = all(ms <= TARGET_MS for ms in medians[:-1])
    from agencies.models import Agency

    print(
        f"\n问题库 ({Agency.objects.count()} agencies × {CYCLES} earlier cycles, {written} "
        f"problems written in {built:.0f} s; median of alternated requests, trivial view "
        f"{medians[-1]:.1f} ms)"
    )
    for (name, _url), ms in zip(urls.items(), medians, strict=False):
        print(
            f"  {name:<18}{ms:>8.1f} ms  {queries[name]} queries  "
            f"{'ok' if ms <= TARGET_MS else 'SLOW'} (target ≤ {TARGET_MS} ms)"
        )
    return ok
