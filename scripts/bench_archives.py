"""The 稽核档案 part of `make bench` (issue 30, item 5): seconds per package and the memory
of the worker that builds them, in a fresh process, as a background worker runs.

Archiving scales with the roster, so this samples SAMPLE packages of the 2023 cycle of 50
(each agency's package holds the same kinds of record at any roster size) and says so; a
5,000-agency cycle takes 5,000 × the time per package. Targets: the worker's memory flat —
at most 150 MB above what it held when it started (as bench_exports measures), and no more
than 20 MB gained from the fifth package to the last."""

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

SAMPLE = int(os.environ.get("BENCH_ARCHIVE_SAMPLE", "20"))
MEMORY_MB = 150
GROWTH_MB = 20
WORKER = """
import json, os, resource, sys, time
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.conf import settings
from archives import services
from archives.models import ArchivePackage
from common import pdf as rendering
from reports import data, pdf

settings.REPORT_RENDER_PROCESSES = None  # as in production (the tests' settings say 1)

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

ids = json.loads(sys.argv[1])
print(json.dumps({"start": rss_mb()}), flush=True)
first = ArchivePackage.objects.select_related("audit__cycle").get(pk=ids[0])
# as archives.tasks.build_packages: one renderer (a rendering process, replaced now and
# then) for the batch, the circular rendered once
with rendering.renderer(apart=True) as render:
    circular = render(pdf.circular_html(data.circular(first.audit.cycle)))
    for pk in ids:
        started = time.perf_counter()
        archive = services.build(ArchivePackage.objects.get(pk=pk), circular=circular, render=render)
        print(json.dumps({"seconds": time.perf_counter() - started, "rss": rss_mb(),
                          "size": archive.size, "passed": archive.check_passed}), flush=True)
print(json.dumps({"renderer": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run(manager) -> bool:
    from django.utils import timezone

    from agencies.models import Audit, AuditStatus, Cycle
    from archives import services
    from reports.services import finalize_and_issue

    cycle = Cycle.objects.get(year=2023)
    cycle.archive_after_rectification = False  # the bench archives what it finalized
    cycle.draft_step = False
    cycle.save(update_fields=["archive_after_rectification", "draft_step"])
    for audit in Audit.objects.filter(cycle=cycle).exclude(status=AuditStatus.FINALIZED)[:SAMPLE]:
        if audit.status != AuditStatus.UNDER_REVIEW:
            Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.UNDER_REVIEW)
        finalize_and_issue(audit=Audit.objects.get(pk=audit.pk), by=manager)
    queued = services.request_cycle(cycle=cycle, by=manager)[:SAMPLE]
    ids = [archive.pk for archive in queued]
    started = timezone.now()
    worker = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(ids)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env=os.environ,
        check=False,
    )
    if worker.returncode != 0:
        print(f"\n稽核档案: the worker failed:\n{worker.stderr[-2000:]}")
        return False
    lines = [json.loads(line) for line in worker.stdout.splitlines() if line.startswith("{")]
    start = lines[0]["start"]
    renderer = lines[-1]["renderer"]
    rows = lines[1:-1]
    seconds = statistics.median(row["seconds"] for row in rows)
    rss = [row["rss"] for row in rows]
    growth = rss[-1] - rss[min(4, len(rss) - 1)]
    above_start = max(rss) - start
    ok = above_start <= MEMORY_MB and growth <= GROWTH_MB and all(row["passed"] for row in rows)
    print(
        f"\n稽核档案 (a sample of {len(rows)} packages of the 50-agency cycle, built by a fresh "
        f"worker process; started {started:%H:%M:%S}):"
    )
    print(
        f"  {seconds:.2f} s per package (median), {statistics.median(r['size'] for r in rows) / 1024:.0f} KB; "
        f"a 5,000-agency cycle: about {seconds * 5000 / 3600:.1f} h in the background"
    )
    print(
        f"  worker memory: {start:.0f} MB when it started (Django, imports), {rss[0]:.0f} MB after "
        f"the first package, {max(rss):.0f} MB at most ({above_start:+.0f} MB above its start), "
        f"{growth:+.1f} MB from the fifth package to the last "
        f"(targets ≤ {MEMORY_MB} MB above its start, ≤ {GROWTH_MB} MB)"
        + ("" if ok else "  ← over target or a check failed")
    )
    print(
        f"  the rendering process (WeasyPrint, replaced every few packages): {renderer:.0f} MB "
        "at its largest"
    )
    return ok
