"""The whole 操作手册 as one PDF (/help/manual.pdf): a cover, the contents with page
numbers, then every chapter with its screenshots.

Rendered once per content (the chapters' and the screenshots' files, hashed) and kept in the
process: a manual is the same for everyone, and each rendering takes seconds.
"""

import hashlib
import mimetypes
import threading

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from common.pdf import FetchRefused

from .chapters import CHAPTERS, SHOTS_DIR, render, shot_path

SHOT_SCHEME = "manual-shot:"

_lock = threading.Lock()
_rendered: dict[str, bytes] = {}


def fingerprint() -> str:
    """What the PDF is made of: every chapter's text and every screenshot."""
    digest = hashlib.sha256()
    files = [chapter.path for chapter in CHAPTERS] + sorted(SHOTS_DIR.glob("*.png"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def html() -> str:
    chapters = [
        render(
            chapter,
            shot_url=lambda name: SHOT_SCHEME + name,
            chapter_url=lambda slug, anchor: f"#{slug}-{anchor}" if anchor else f"#{slug}",
            anchor_prefix=f"{chapter.slug}-",
        )
        for chapter in CHAPTERS
    ]
    return render_to_string(
        "manual/pdf.html",
        {
            "chapters": list(zip(CHAPTERS, chapters, strict=True)),
            "office_name": settings.PORTAL_OFFICE_NAME,
            "today": timezone.localdate(),
        },
    )


def pdf() -> bytes:
    key = fingerprint()
    with _lock:
        if key not in _rendered:
            _rendered.clear()
            _rendered[key] = _render(html())
        return _rendered[key]


def _render(document: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ScreenshotsOnly(URLFetcher):
        """The manual's own screenshots, by name; nothing else (as every document the
        portal renders, see common.pdf)."""

        def fetch(self, url, headers=None):
            name = url.removeprefix(SHOT_SCHEME)
            path = shot_path(name)
            if not url.startswith(SHOT_SCHEME) or path is None:
                raise FetchRefused(f"fetching {url[:100]} is not allowed")
            return URLFetcherResponse(
                url,
                body=path.read_bytes(),
                headers={"Content-Type": mimetypes.guess_type(name)[0] or "image/png"},
            )

    return HTML(
        string=document, base_url="about:blank", url_fetcher=ScreenshotsOnly(fail_on_errors=False)
    ).write_pdf()
