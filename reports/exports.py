"""The cycle-wide exports: built in the request for a cycle of the Beijing office's size,
by the task worker into a file for a larger one (issue 16).

A web worker never spends the minute a circular of 4,000 agencies takes in WeasyPrint: past
EXPORT_INLINE_MAX_AGENCIES the request queues a ReportBundle of the export's kind and shows
the same progress page as the ZIP of all reports; the worker writes the file beside the
ZIPs (``reports.bundles``) and the page offers it. A second request for a spreadsheet or the
circular while one is being built (for at most JOIN_WITHIN) joins it rather than starting
another; the ZIP of all reports is started afresh each time, as before.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from . import data, excel
from .models import DataChange, ReportBundle

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Longer than any of these builds takes (the circular of 5,000 agencies: under a minute): a
# build queued before that is taken to have died with its worker, and is not joined.
JOIN_WITHIN = timedelta(minutes=15)


@dataclass(frozen=True)
class Built:
    content: bytes | None  # None: the same as the last build's file, by its fingerprint
    fingerprint: str = ""


@dataclass(frozen=True)
class Export:
    file_name: Callable[[int], str]
    content_type: str
    inline: bool  # shown in the browser (a PDF) rather than saved
    url_name: str  # where it is asked for


def _circular_html(cycle) -> str:
    from . import pdf

    return pdf.circular_html(data.circular(cycle))


def build(cycle, kind: str, *, last_fingerprint: str = "", apart: bool = False) -> Built:
    """The export's bytes; for the PDF, nothing when its HTML is the same as the last
    build's (``last_fingerprint``): WeasyPrint is the slow part, the HTML decides it. With
    ``apart`` (the task worker) the PDF is rendered in a process of its own."""
    from . import pdf

    if kind == ReportBundle.Kind.SCORES_XLSX:
        return Built(excel.score_matrix_xlsx(data.score_matrix(cycle)))
    if kind == ReportBundle.Kind.CIRCULAR_XLSX:
        return Built(excel.circular_xlsx(data.circular(cycle)))
    if kind == ReportBundle.Kind.CIRCULAR_PDF:
        html = _circular_html(cycle)
        fingerprint = hashlib.sha256(html.encode()).hexdigest()
        if fingerprint == last_fingerprint:
            return Built(None, fingerprint)
        render = pdf.html_to_pdf_apart if apart else pdf.html_to_pdf
        return Built(render(html), fingerprint)
    raise ValueError(f"not a file export: {kind}")


EXPORTS = {
    ReportBundle.Kind.REPORTS_ZIP: Export(
        lambda year: f"{year}年度全部稽核报告.zip", "application/zip", False, "report_bundle_start"
    ),
    ReportBundle.Kind.SCORES_XLSX: Export(
        lambda year: f"{year}年度稽核得分.xlsx", XLSX, False, "scores_xlsx"
    ),
    ReportBundle.Kind.CIRCULAR_XLSX: Export(
        lambda year: f"{year}年度稽核通报.xlsx", XLSX, False, "circular_xlsx"
    ),
    ReportBundle.Kind.CIRCULAR_PDF: Export(
        lambda year: f"{year}年度稽核通报.pdf", "application/pdf", True, "circular_pdf"
    ),
}


# What reports.models.DataChange covers: these exports are served again while it is unchanged.
CACHED = {
    ReportBundle.Kind.SCORES_XLSX,
    ReportBundle.Kind.CIRCULAR_XLSX,
    ReportBundle.Kind.CIRCULAR_PDF,
}


def data_version(kind: str) -> str:
    """Changes so far to what the export is made from: how many the triggers noted and the
    last one's id. The count catches a change committed after a later one was read; the
    circular also prints the day, so its version includes the day too."""
    found = DataChange.objects.aggregate(n=Count("id"), last=Max("id"))
    version = f"{found['n']}-{found['last'] or 0}"
    if kind == ReportBundle.Kind.CIRCULAR_PDF:
        version += f"-{timezone.localdate().isoformat()}"
    return version


def in_background(cycle) -> bool:
    """Whether this cycle's exports are built by the task worker rather than in the
    request: past EXPORT_INLINE_MAX_AGENCIES agencies (300 by default; the Beijing office
    has 50, so its exports arrive at once as before)."""
    return cycle.audits.count() > settings.EXPORT_INLINE_MAX_AGENCIES
