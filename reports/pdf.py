"""PDF builders: data in, bytes out (WeasyPrint through ``common.pdf``, which refuses to
fetch anything)."""

from django.template.loader import render_to_string

from common import pdf as rendering


def html_to_pdf(html: str) -> bytes:
    return rendering.render(html)


def html_to_pdf_apart(html: str) -> bytes:
    """``html_to_pdf`` in a process of its own that ends with it (the task worker's path for
    a cycle-wide PDF: a fresh process grows by ~150 MB for the circular of 5,000 agencies,
    which goes back to the system with it; see ``common.pdf.renderer``)."""
    with rendering.renderer(apart=True, per_process=1) as render:
        return render(html)


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
