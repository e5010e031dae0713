"""Building archive packages in the background (django-tasks): the circular of the cycle is
rendered once for all its packages, and each package is written, checked and stored on its
own, so a stop half-way loses nothing (what is left is still queued)."""

import logging

from django_tasks import task

from reports import data, pdf

from . import services
from .models import ArchivePackage

logger = logging.getLogger(__name__)


@task()
def build_packages(ids: list[int]) -> int:
    circulars = {}
    built = 0
    for archive in (
        ArchivePackage.objects.filter(pk__in=ids, status=ArchivePackage.Status.QUEUED)
        .select_related("audit__cycle")
        .order_by("audit__serial")
    ):
        cycle = archive.audit.cycle
        if cycle.pk not in circulars:
            circulars[cycle.pk] = pdf.circular_pdf(data.circular(cycle))
        try:
            services.build(archive, circular=circulars[cycle.pk])
            built += 1
        except Exception:  # marked failed with its reason; the others go on
            logger.exception("archive package %s failed", archive.number)
    return built
