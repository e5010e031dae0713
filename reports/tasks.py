"""Background work: the ZIP of every agency report of a cycle (django-tasks).

Run the worker with `manage.py db_worker`; tests and `make run` run tasks at once.
"""

import io
import zipfile

from django.utils import timezone
from django_tasks import task

from agencies.models import AuditStatus

from . import data, pdf
from .models import IssuedReport, ReportBundle


@task()
def build_report_bundle(bundle_id: int) -> int:
    bundle = ReportBundle.objects.select_related("cycle").get(pk=bundle_id)
    audits = list(bundle.cycle.audits.select_related("agency", "cycle").order_by("serial"))
    ReportBundle.objects.filter(pk=bundle_id).update(
        status=ReportBundle.Status.RUNNING, total=len(audits), done=0
    )
    buffer = io.BytesIO()
    try:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for done, audit in enumerate(audits, start=1):
                issued = (
                    IssuedReport.objects.filter(audit=audit).order_by("-version").first()
                    if audit.status == AuditStatus.FINALIZED
                    else None
                )
                if issued:
                    content, suffix = bytes(issued.content), issued.number
                else:
                    content, suffix = pdf.agency_report_pdf(data.agency_report(audit)), "草稿"
                name = f"{audit.serial:02d}-{audit.agency.code}-{audit.agency.name}-{suffix}.pdf"
                archive.writestr(name.replace("/", "_"), content)
                ReportBundle.objects.filter(pk=bundle_id).update(done=done)
    except Exception as error:
        ReportBundle.objects.filter(pk=bundle_id).update(
            status=ReportBundle.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    ReportBundle.objects.filter(pk=bundle_id).update(
        status=ReportBundle.Status.DONE, content=buffer.getvalue(), finished_at=timezone.now()
    )
    return len(audits)
