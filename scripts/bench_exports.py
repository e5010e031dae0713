"""The cycle-wide exports as the task worker builds them (issue 16), part of `make bench` with
BENCH_AGENCIES set: scores.xlsx, the circular as Excel and as PDF, each timed and its peak
memory growth sampled from /proc (the whole process, as the worker's would grow). Targets at
5,000 agencies: growth under 150 MB for each, the circular PDF under 60 s.

The ZIP of all reports is left out by default (thousands of drafts take many minutes to
render); BENCH_ZIP=1 adds it."""

import os
import threading
import time

MEMORY_TARGET_MB = 150
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


def measure() -> dict[str, tuple[float, float, float]]:
    """kind -> (seconds, memory growth MB, file KB) of each export of the 2023 cycle, built
    as the worker builds it."""
    import gc

    from agencies.models import Cycle
    from reports import exports

    cycle = Cycle.objects.get(year=2023)
    found = {}
    for kind in KINDS:
        gc.collect()
        built = {}
        seconds, grown = _measured(
            lambda kind=kind, built=built: built.setdefault("file", exports.build(cycle, kind))
        )
        found[kind] = (seconds, grown, len(built["file"].content) / 1024)
    return found


def run(manager, before=None) -> bool:
    """Print the exports at this size (beside the office's 50 when measured before)."""
    from agencies.models import Cycle
    from reports.models import ReportBundle

    cycle = Cycle.objects.get(year=2023)
    finalized = cycle.audits.filter(status="finalized").count()
    print(
        f"\nCycle exports as the worker builds them ({cycle.audits.count()} agencies, "
        f"{finalized} finalized)"
    )
    print(
        f"{'export':<16}{'seconds':>9}{'memory +MB':>12}{'KB':>8}"
        + (f"{'at 50: s':>10}{'MB':>6}{'KB':>6}" if before else "")
        + "  result"
    )
    ok = True
    for kind, (seconds, grown, size) in measure().items():
        fine = grown < MEMORY_TARGET_MB and (kind != "circular_pdf" or seconds < PDF_TARGET_S)
        ok &= fine
        then = ""
        if before:
            s50, m50, k50 = before[kind]
            then = f"{s50:>10.2f}{m50:>6.0f}{k50:>6.0f}"
        print(
            f"{kind:<16}{seconds:>9.1f}{grown:>12.0f}{size:>8.0f}{then}  {'ok' if fine else 'SLOW'}"
        )
    if os.environ.get("BENCH_ZIP") == "1":
        import gc

        from reports.tasks import build_report_bundle

        _issue_reports(cycle, manager)
        bundle = ReportBundle.objects.create(cycle=cycle, requested_by=manager)
        gc.collect()
        seconds, grown = _measured(lambda: build_report_bundle.call(bundle.pk))
        fine = grown < MEMORY_TARGET_MB
        ok &= fine
        bundle.refresh_from_db()
        print(
            f"{'reports_zip':<16}{seconds:>9.1f}{grown:>12.0f}{bundle.size / 1024:>8.0f}  "
            f"{'ok' if fine else 'SLOW'} (this process; each of the rendering processes holds "
            f"one report at a time)"
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
