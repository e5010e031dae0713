"""PDF builders: data in, bytes out (WeasyPrint through ``common.pdf``, which refuses to
fetch anything)."""

from django.template.loader import render_to_string

from common import pdf as rendering


def html_to_pdf(html: str) -> bytes:
    return rendering.render(html)


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
