"""PDF builders: data in, bytes out (WeasyPrint).

WeasyPrint is given a URL fetcher that refuses everything: the templates inline their
styles and use the system's Noto CJK fonts, so a report needs nothing from outside, and
nothing in a finding (a link to file:///etc/passwd, say) can make it read a file or the
network.
"""

import logging

from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class FetchRefused(ValueError):
    pass


def refuse_every_url(url, timeout=10, ssl_context=None, **kwargs):
    """Reports load nothing; log what was asked for."""
    logger.warning("PDF rendering refused to fetch %s", url[:200])
    raise FetchRefused(f"fetching {url[:100]} is not allowed")


def _url_fetcher():
    """WeasyPrint's url_fetcher. WeasyPrint 70 asks its fetcher whether an error is fatal
    (``_fail_on_errors``), so a plain function crashed the whole render at the first
    stylesheet or image it met; a URLFetcher whose fetch always refuses leaves the render
    going, the resource left out."""
    from weasyprint.urls import URLFetcher

    class RefuseEveryURL(URLFetcher):
        def fetch(self, url, headers=None):
            return refuse_every_url(url)

    return RefuseEveryURL(fail_on_errors=False)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url="about:blank", url_fetcher=_url_fetcher()).write_pdf()


def html_to_pdf_apart(html: str) -> bytes:
    """``html_to_pdf`` in a process of its own that ends with it (the task worker's path for
    a cycle-wide PDF). WeasyPrint's fonts and a province's layout (a fresh process grows by
    ~150 MB for the circular of 5,000 agencies) go back to the system with that process,
    instead of staying in the long-lived worker, whose allocator keeps what it freed. With
    REPORT_RENDER_PROCESSES = 1 (the tests) it renders here."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from django.conf import settings

    if getattr(settings, "REPORT_RENDER_PROCESSES", None) == 1:
        return html_to_pdf(html)
    # "spawn": the child only runs WeasyPrint on finished HTML and shares nothing with this
    # process (no database connection, no threads)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_render_in_child, html).result()


def _render_in_child(html: str) -> bytes:
    return html_to_pdf(html)


def agency_report_pdf(data: dict) -> bytes:
    return html_to_pdf(render_to_string("reports/agency_report.html", data))


def rectification_report_pdf(data: dict) -> bytes:
    return html_to_pdf(render_to_string("reports/rectification_report.html", data))


def circular_html(data: dict) -> str:
    """The circular's HTML with its grade chart (what its PDF is rendered from)."""
    from agencies.charts import grade_distribution_svg

    data = {**data, "chart": grade_distribution_svg(data["grade_counts"], width=420, height=200)}
    return render_to_string("reports/circular.html", data)


def circular_pdf(data: dict) -> bytes:
    return html_to_pdf(circular_html(data))


def scoring_form_pdf(data: dict) -> bytes:
    return html_to_pdf(render_to_string("reports/scoring_form.html", data))
