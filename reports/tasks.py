"""Background work: the ZIP of every agency report of a cycle, and the other cycle-wide
exports of a large cycle (django-tasks; reports.exports).

Run the worker with `manage.py db_worker`; tests and `make run` run tasks at once.
"""

import hashlib
import multiprocessing
import os
import zipfile
from collections import deque
from concurrent.futures import ProcessPoolExecutor

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from agencies.models import AuditStatus

from . import bundles, data, exports, pdf
from .models import IssuedReport, ReportBundle
from .storage import bundle_storage


def _into_file(bundle_id: int, file_name: str, write) -> tuple[int, str]:
    """Run ``write(partial path)``, then publish the file under its name: (size, SHA-256).
    On any failure the bundle is marked failed and no file is left."""
    partial = bundles.partial_path(file_name)
    try:
        write(partial)
        digest = hashlib.sha256()
        with open(partial, "rb") as stream:
            for block in iter(lambda: stream.read(1024 * 1024), b""):
                digest.update(block)
        size = partial.stat().st_size
        bundles.publish(file_name)
    except Exception as error:
        partial.unlink(missing_ok=True)
        _failed(bundle_id, error)
        raise
    return size, digest.hexdigest()


def _failed(bundle_id: int, error: Exception) -> None:
    ReportBundle.objects.filter(pk=bundle_id).update(
        status=ReportBundle.Status.FAILED,
        error=str(error)[:2000],
        finished_at=timezone.now(),
        file_name="",
    )


def _private_file(path):
    """A new file only this user can read (0600), for writing."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


@task()
def build_cycle_export(bundle_id: int) -> int:
    """Write one export (scores.xlsx, circular.xlsx, circular.pdf) of a cycle to a file. A
    circular whose HTML is the same as the last built one's gets a copy of that file (each
    bundle's file is deleted on its own) without WeasyPrint."""
    bundles.expire()
    bundle = ReportBundle.objects.select_related("cycle").get(pk=bundle_id)
    file_name = bundles.new_file_name(bundle.kind)
    # before anything is read: a change made while building shows as a newer version
    version = exports.data_version(bundle.kind)
    ReportBundle.objects.filter(pk=bundle_id).update(
        status=ReportBundle.Status.RUNNING, file_name=file_name
    )
    last = (
        ReportBundle.objects.filter(
            cycle=bundle.cycle, kind=bundle.kind, status=ReportBundle.Status.DONE
        )
        .exclude(fingerprint="")
        .order_by("-finished_at")
        .first()
    )
    if last is not None and not bundle_storage().exists(last.file_name):
        last = None
    try:
        built = exports.build(
            bundle.cycle,
            bundle.kind,
            last_fingerprint=last.fingerprint if last else "",
            apart=True,
        )
        if built.content is None:  # the same as the last: a copy in the storage, not rendered
            bundles.copy(last.file_name, file_name)
            size, sha256 = last.size, last.sha256
    except Exception as error:
        _failed(bundle_id, error)
        raise
    if built.content is not None:

        def write(partial):
            with _private_file(partial) as stream:
                stream.write(built.content)

        size, sha256 = _into_file(bundle_id, file_name, write)
    ReportBundle.objects.filter(pk=bundle_id).update(
        status=ReportBundle.Status.DONE,
        done=1,
        size=size,
        sha256=sha256,
        fingerprint=built.fingerprint,
        data_version=version,
        finished_at=timezone.now(),
    )
    return size


@task()
def build_report_bundle(bundle_id: int) -> int:
    bundles.expire()
    bundle = ReportBundle.objects.select_related("cycle").get(pk=bundle_id)
    audits = list(bundle.cycle.audits.select_related("agency", "cycle").order_by("serial"))
    file_name = bundles.new_file_name()
    ReportBundle.objects.filter(pk=bundle_id).update(
        status=ReportBundle.Status.RUNNING, total=len(audits), done=0, file_name=file_name
    )
    processes = getattr(settings, "REPORT_RENDER_PROCESSES", None) or os.cpu_count() or 1

    # The database work (gathering each report's data and HTML) stays here; the CPU work
    # (WeasyPrint) runs on every core. Issued reports go in as issued. Jobs are made as the
    # ZIP is written, a few ahead of it, so that memory holds a handful of reports, not the
    # cycle's (5,000 reports are over a gigabyte).
    def jobs():
        for audit in audits:
            issued = (
                IssuedReport.objects.filter(audit=audit)
                .order_by("-version")
                .values_list("number", "content")
                .first()
                if audit.status == AuditStatus.FINALIZED
                else None
            )
            if issued:
                yield audit, issued[0], bytes(issued[1])
            else:
                html = render_to_string("reports/agency_report.html", data.agency_report(audit))
                yield audit, "草稿", html

    def write(partial):
        with (
            _private_file(partial) as stream,
            zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive,
        ):
            for done, (audit, suffix, content) in enumerate(_rendered(jobs(), processes), start=1):
                name = f"{audit.serial:02d}-{audit.agency.code}-{audit.agency.name}-{suffix}.pdf"
                archive.writestr(name.replace("/", "_"), content)
                ReportBundle.objects.filter(pk=bundle_id).update(done=done)

    size, sha256 = _into_file(bundle_id, file_name, write)
    ReportBundle.objects.filter(pk=bundle_id).update(
        status=ReportBundle.Status.DONE, size=size, sha256=sha256, finished_at=timezone.now()
    )
    return len(audits)


def _rendered(jobs, processes):
    """Yield (audit, suffix, pdf bytes) in order, rendering HTML jobs on ``processes`` cores,
    at most a few jobs per core ahead of the one being written."""
    if processes <= 1:
        for audit, suffix, content in jobs:
            yield audit, suffix, content if isinstance(content, bytes) else pdf.html_to_pdf(content)
        return
    # "spawn": the children only run WeasyPrint on finished HTML; they share nothing with
    # this process (no database connections, no threads).
    context = multiprocessing.get_context("spawn")
    ahead = processes * 3
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        pending = deque()
        for audit, suffix, content in jobs:
            future = None if isinstance(content, bytes) else pool.submit(pdf.html_to_pdf, content)
            pending.append((audit, suffix, content if future is None else None, future))
            while len(pending) > ahead:
                yield _result(pending.popleft())
        while pending:
            yield _result(pending.popleft())


def _result(job):
    audit, suffix, content, future = job
    return audit, suffix, content if future is None else future.result()


def start(cycle, kind: str, user) -> ReportBundle:
    """The last built export of this kind for the cycle while nothing it is made from has
    changed since (DataChange), else the one being built, else a new one, queued."""
    if kind in exports.CACHED:
        built = (
            ReportBundle.objects.filter(
                cycle=cycle,
                kind=kind,
                status=ReportBundle.Status.DONE,
                data_version=exports.data_version(kind),
            )
            .order_by("-finished_at")
            .first()
        )
        if built is not None and bundle_storage().exists(built.file_name):
            return built
    if kind != ReportBundle.Kind.REPORTS_ZIP:
        waiting = (
            ReportBundle.objects.filter(
                cycle=cycle,
                kind=kind,
                status__in=[ReportBundle.Status.QUEUED, ReportBundle.Status.RUNNING],
                requested_at__gte=timezone.now() - exports.JOIN_WITHIN,
            )
            .order_by("-requested_at")
            .first()
        )
        if waiting is not None:
            return waiting
    total = cycle.audits.count() if kind == ReportBundle.Kind.REPORTS_ZIP else 1
    bundle = ReportBundle.objects.create(cycle=cycle, kind=kind, requested_by=user, total=total)
    task = build_report_bundle if kind == ReportBundle.Kind.REPORTS_ZIP else build_cycle_export
    task.enqueue(bundle.pk)
    bundle.refresh_from_db()  # the tests' immediate backend has built it already
    return bundle
