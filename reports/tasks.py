"""Background work: the ZIP of every agency report of a cycle (django-tasks).

Run the worker with `manage.py db_worker`; tests and `make run` run tasks at once.
"""

import hashlib
import multiprocessing
import os
import zipfile
from concurrent.futures import ProcessPoolExecutor

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from agencies.models import AuditStatus

from . import bundles, data, pdf
from .models import IssuedReport, ReportBundle


@task()
def build_report_bundle(bundle_id: int) -> int:
    bundles.expire()
    bundle = ReportBundle.objects.select_related("cycle").get(pk=bundle_id)
    audits = list(bundle.cycle.audits.select_related("agency", "cycle").order_by("serial"))
    file_name = bundles.new_file_name()
    ReportBundle.objects.filter(pk=bundle_id).update(
        status=ReportBundle.Status.RUNNING, total=len(audits), done=0, file_name=file_name
    )
    partial = bundles.partial_path(file_name)
    processes = getattr(settings, "REPORT_RENDER_PROCESSES", None) or os.cpu_count() or 1
    digest = hashlib.sha256()
    try:
        # The database work (gathering each report's data and HTML) stays here; the CPU
        # work (WeasyPrint) runs on every core. Issued reports go in as issued.
        jobs = []
        for audit in audits:
            issued = (
                IssuedReport.objects.filter(audit=audit).order_by("-version").first()
                if audit.status == AuditStatus.FINALIZED
                else None
            )
            if issued:
                jobs.append((audit, issued.number, bytes(issued.content)))
            else:
                html = render_to_string("reports/agency_report.html", data.agency_report(audit))
                jobs.append((audit, "草稿", html))
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            os.fdopen(descriptor, "wb") as stream,
            zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive,
        ):
            for done, (audit, suffix, content) in enumerate(_rendered(jobs, processes), start=1):
                name = f"{audit.serial:02d}-{audit.agency.code}-{audit.agency.name}-{suffix}.pdf"
                archive.writestr(name.replace("/", "_"), content)
                ReportBundle.objects.filter(pk=bundle_id).update(done=done)
        with open(partial, "rb") as stream:
            for block in iter(lambda: stream.read(1024 * 1024), b""):
                digest.update(block)
        size = partial.stat().st_size
        bundles.publish(file_name)
    except Exception as error:
        partial.unlink(missing_ok=True)
        ReportBundle.objects.filter(pk=bundle_id).update(
            status=ReportBundle.Status.FAILED,
            error=str(error)[:2000],
            finished_at=timezone.now(),
            file_name="",
        )
        raise
    ReportBundle.objects.filter(pk=bundle_id).update(
        status=ReportBundle.Status.DONE,
        size=size,
        sha256=digest.hexdigest(),
        finished_at=timezone.now(),
    )
    return len(audits)


def _rendered(jobs, processes):
    """Yield (audit, suffix, pdf bytes) in order, rendering HTML jobs on ``processes`` cores."""
    if processes <= 1:
        for audit, suffix, content in jobs:
            yield audit, suffix, content if isinstance(content, bytes) else pdf.html_to_pdf(content)
        return
    # "spawn": the children only run WeasyPrint on finished HTML; they share nothing with
    # this process (no database connections, no threads).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        futures = [
            None if isinstance(content, bytes) else pool.submit(pdf.html_to_pdf, content)
            for _audit, _suffix, content in jobs
        ]
        for (audit, suffix, content), future in zip(jobs, futures, strict=True):
            yield audit, suffix, content if future is None else future.result()
