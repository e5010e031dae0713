"""The cycle-wide exports as the task worker builds them (issues 16, 27), part of `make bench`
with BENCH_AGENCIES set: scores.xlsx, the circular as Excel and as PDF, each built in a fresh
process (as a worker that has just started: its imports and fonts count) at the office's 50
and at the large size in turn, timed, and its peak memory growth sampled from /proc (the
whole process). Targets at 5,000 agencies: growth under 150 MB for each, under 100 MB for
the circular PDF, which must also take under 60 s.

The ZIP of all reports is left out by default (thousands of drafts take many minutes to
render); BENCH_ZIP=1 adds it, built in a fresh process too (target: under 150 MB whatever
the count; the rendering processes hold one report each)."""

import os
import threading
import time

MEMORY_TARGET_MB = 150
PDF_MEMORY_TARGET_MB = 100
PDF_TARGET_S = 60


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _measured(fn) -> tuple[float, float]:
    """(seconds, the most the resident memory grew above its start) of fn()."""
    start_rss, peak, running = _rss_mb(), [0.0], [True]

    def sample():
        while running[0]:
            peak[0] = max(peak[0], _rss_mb())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        fn()
    finally:
        elapsed = time.perf_counter() - started
        running[0] = False
        sampler.join()
    return elapsed, max(peak[0], _rss_mb()) - start_rss


KINDS = ("scores_xlsx", "circular_xlsx", "circular_pdf")


def _build_here(year: int, kind: str) -> tuple[float, float, float, float]:
    """(seconds, memory growth MB, file KB, the rendering process's peak MB or 0) of one
    export of the cycle, built in this process as the worker builds it (the PDF rendered in
    a process of its own)."""
    import resource

    from django.conf import settings

    from agencies.models import Cycle
    from reports import exports

    settings.REPORT_RENDER_PROCESSES = None  # as in production (the tests' settings say 1)
    cycle = Cycle.objects.get(year=year)
    built = {}
    seconds, grown = _measured(
        lambda: built.setdefault("file", exports.build(cycle, kind, apart=True))
    )
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, grown, len(built["file"].content) / 1024, child_mb


def _bundle_here(year: int, bundle_id: int) -> tuple[float, float, float]:
    from django.conf import settings

    from reports.models import ReportBundle
    from reports.tasks import build_report_bundle

    settings.REPORT_RENDER_PROCESSES = None  # every core, as in production
    seconds, grown = _measured(lambda: build_report_bundle.call(bundle_id))
    return seconds, grown, ReportBundle.objects.get(pk=bundle_id).size / 1024


def _in_fresh_process(fn, *args):
    """fn(*args) in a new process (spawn: it imports the benchmark again, with its database)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from django.db import connections

    connections.close_all()  # SQLite: the child reads what this process wrote
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(fn, *args).result()


def run(manager, large_year: int) -> bool:
    """Print each export at the office's 50 (2023) and at the large cycle's size, built in
    turn, each in a fresh process."""
    from agencies.models import Cycle
    from reports.models import ReportBundle

    cycle = Cycle.objects.get(year=large_year)
    finalized = cycle.audits.filter(status="finalized").count()
    print(
        f"\nCycle exports as a fresh worker builds them ({cycle.audits.count()} agencies, "
        f"{finalized} finalized; each built in a new process, at 50 and at this size in turn)"
    )
    print(
        f"{'export':<16}{'seconds':>9}{'memory +MB':>12}{'KB':>8}{'at 50: s':>10}{'MB':>6}{'KB':>6}  result"
    )
    ok = True
    for kind in KINDS:
        s50, m50, k50, _child = _in_fresh_process(_build_here, 2023, kind)
        seconds, grown, size, child = _in_fresh_process(_build_here, large_year, kind)
        limit = PDF_MEMORY_TARGET_MB if kind == "circular_pdf" else MEMORY_TARGET_MB
        fine = grown < limit and (kind != "circular_pdf" or seconds < PDF_TARGET_S)
        ok &= fine
        print(
            f"{kind:<16}{seconds:>9.1f}{grown:>12.0f}{size:>8.0f}{s50:>10.2f}{m50:>6.0f}{k50:>6.0f}"
            f"  {'ok' if fine else 'SLOW'} (target +{limit} MB"
            + (
                f"; rendered apart, that process's peak {child:.0f} MB, given back)"
                if child
                else ")"
            )
        )
    if os.environ.get("BENCH_ZIP") == "1":
        _issue_reports(cycle, manager)
        bundle = ReportBundle.objects.create(cycle=cycle, requested_by=manager)
        seconds, grown, size = _in_fresh_process(_bundle_here, large_year, bundle.pk)
        fine = grown < MEMORY_TARGET_MB
        ok &= fine
        print(
            f"{'reports_zip':<16}{seconds:>9.1f}{grown:>12.0f}{size:>8.0f}{'':>22}  "
            f"{'ok' if fine else 'SLOW'} (the building process; each of the rendering "
            f"processes holds one report at a time)"
        )
    return ok


def _issue_reports(cycle, manager) -> None:
    """An issued report of a real report's size (245 KB) for every finalized audit that has
    none, so that the ZIP reads them from the database as it would a finished season's."""
    import hashlib

    from reports.models import IssuedReport

    content = b"%PDF-1.4\n" + os.urandom(245 * 1024)  # one object, shared by every row
    digest = hashlib.sha256(content).hexdigest()
    have = set(IssuedReport.objects.values_list("audit_id", flat=True))
    IssuedReport.objects.bulk_create(
        (
            IssuedReport(
                audit=audit,
                version=1,
                number=f"基准〔2023〕{audit.agency.code}号",
                content=content,
                sha256=digest,
                size=len(content),
                issued_by=manager,
            )
            for audit in cycle.audits.filter(status="finalized").select_related("agency")
            if audit.pk not in have
        ),
        batch_size=100,
    )
