"""Building archive packages in the background (django-tasks): the circular of the cycle is
rendered once for all its packages, and each package is written, checked and stored on its
own, so a stop half-way loses nothing (what is left is still queued). The documents are
rendered in a process of their own (``common.pdf.renderer``), so the worker's memory stays
flat however many packages it builds."""

import logging

from django.utils import timezone
from django_tasks import task

from common import pdf as rendering
from reports import data, pdf

from . import services
from .models import ArchivePackage

logger = logging.getLogger(__name__)


@task()
def build_packages(ids: list[int]) -> int:
    circulars = {}
    built = 0
    queued = (
        ArchivePackage.objects.filter(pk__in=ids, status=ArchivePackage.Status.QUEUED)
        .select_related("audit__cycle")
        .order_by("audit__serial")
    )
    with rendering.renderer(apart=True) as render:
        for archive in queued:
            cycle = archive.audit.cycle
            try:
                if cycle.pk not in circulars:
                    circulars[cycle.pk] = render(pdf.circular_html(data.circular(cycle)))
                services.build(archive, circular=circulars[cycle.pk], render=render)
                built += 1
            except Exception as error:  # marked failed with its reason; the others go on
                logger.exception("archive package %s failed", archive.number)
                ArchivePackage.objects.filter(
                    pk=archive.pk, status=ArchivePackage.Status.QUEUED
                ).update(
                    status=ArchivePackage.Status.FAILED,
                    error=str(error)[:2000],
                    finished_at=timezone.now(),
                )
    return built
