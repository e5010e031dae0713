"""HTML to PDF with WeasyPrint, for every document the portal issues (reports, notices).

WeasyPrint is given a URL fetcher that refuses everything: the templates inline their
styles and use the system's Noto CJK fonts, so a document needs nothing from outside, and
nothing in its text (a link to file:///etc/passwd, say) can make it read a file or the
network.
"""

import logging

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
