"""HTML to PDF with WeasyPrint, for every document the portal issues (reports, notices).

WeasyPrint is given a URL fetcher that refuses everything: the templates inline their
styles and use the system's Noto CJK fonts, so a document needs nothing from outside, and
nothing in its text (a link to file:///etc/passwd, say) can make it read a file or the
network.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)


class FetchRefused(ValueError):
    pass


def refuse_every_url(url, timeout=10, ssl_context=None, **kwargs):
    """Documents load nothing; log what was asked for."""
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


# Every document the portal issues is PDF/A (GB/T 18894: electronic records kept for
# archives): fonts embedded, an output intent, and the title, author (<meta name=author>) and
# date (<meta name=dcterms.created>) of its template in the document's metadata.
PDF_VARIANT = "pdf/a-2b"


def render(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url="about:blank", url_fetcher=_url_fetcher()).write_pdf(
        pdf_variant=PDF_VARIANT
    )


@contextmanager
def renderer(*, apart: bool, per_process: int = 25) -> Iterator[Callable[[str], bytes]]:
    """A function from HTML to PDF bytes, for as long as the block lasts.

    ``apart`` (the background worker): the documents are rendered in a process of its own,
    replaced after ``per_process`` documents. WeasyPrint's fonts and layouts (a fresh
    process grows by ~150 MB on the first document) go back to the system with that
    process instead of staying in the long-lived worker, whose allocator keeps what it
    freed; so the worker stays flat however many documents it asks for. With
    REPORT_RENDER_PROCESSES = 1 (the tests' settings) it renders here."""
    from django.conf import settings

    if not apart or getattr(settings, "REPORT_RENDER_PROCESSES", None) == 1:
        yield render
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # "spawn": the child only runs WeasyPrint on finished HTML and shares nothing with this
    # process (no database connection, no threads)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=1, mp_context=context, max_tasks_per_child=per_process
    ) as pool:
        yield lambda html: pool.submit(_render_in_child, html).result()


def _render_in_child(html: str) -> bytes:
    # by name, so the child runs its own ``render`` (a test may have replaced this one's)
    return render(html)
