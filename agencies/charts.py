"""Charts drawn on the server as SVG, so the same drawing serves pages and PDF reports."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .models import Grade

GRADE_COLOURS = {
    Grade.EXCELLENT: "#198754",
    Grade.GOOD: "#0d6efd",
    Grade.PASS: "#d39e00",
    Grade.FAIL: "#b02a37",
}


def grade_distribution_svg(
    counts: dict[str, int], *, width: int = 360, height: int = 180
) -> SafeString:
    """A bar per grade (优秀, 良好, 合格, 不合格) with its count above the bar."""
    grades = list(Grade)
    top = max([counts.get(g.value, 0) for g in grades] + [1])
    left, bottom, gap = 12, 30, 14
    plot_height = height - bottom - 22
    bar_width = (width - 2 * left - gap * (len(grades) - 1)) / len(grades)
    bars = []
    for index, grade in enumerate(grades):
        count = counts.get(grade.value, 0)
        bar_height = plot_height * count / top
        x = left + index * (bar_width + gap)
        y = height - bottom - bar_height
        bars.append(
            (
                f"{x:.1f}",
                f"{y:.1f}",
                f"{bar_width:.1f}",
                f"{bar_height:.1f}",
                GRADE_COLOURS[grade],
                f"{x + bar_width / 2:.1f}",
                f"{y - 6:.1f}",
                count,
                f"{height - bottom + 18:.1f}",
                grade.label,
            )
        )
    body = format_html_join(
        "",
        '<rect x="{0}" y="{1}" width="{2}" height="{3}" fill="{4}" rx="3"></rect>'
        '<text x="{5}" y="{6}" text-anchor="middle" class="chart-count">{7}</text>'
        '<text x="{5}" y="{8}" text-anchor="middle" class="chart-label">{9}</text>',
        bars,
    )
    title = _("Grade distribution")
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-label="{}" class="grade-chart" font-family="Noto Serif CJK SC, Noto Sans CJK SC, serif" '
        'font-size="13"><title>{}</title>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#adb5bd"></line>{}</svg>',
        width,
        height,
        width,
        height,
        title,
        title,
        left,
        height - bottom,
        width - left,
        height - bottom,
        body,
    )


def score_history_svg(rows, *, width: int = 420, height: int = 190) -> SafeString:
    """An agency's finalized totals cycle by cycle: a bar per year (coloured by its grade)
    with the total above and the year below. ``rows`` are (year, total, grade)."""
    rows = list(rows)
    left, bottom, top_margin, gap = 12, 30, 22, 12
    plot_height = height - bottom - top_margin
    count = max(len(rows), 1)
    bar_width = min(56, (width - 2 * left - gap * (count - 1)) / count)
    bars = []
    for index, (year, total, grade) in enumerate(rows):
        value = float(total or 0)
        bar_height = plot_height * value / 100
        x = left + index * (bar_width + gap)
        y = height - bottom - bar_height
        bars.append(
            (
                f"{x:.1f}",
                f"{y:.1f}",
                f"{bar_width:.1f}",
                f"{bar_height:.1f}",
                GRADE_COLOURS.get(grade, "#6c757d"),
                f"{x + bar_width / 2:.1f}",
                f"{y - 6:.1f}",
                f"{value:.1f}",
                f"{height - bottom + 18:.1f}",
                year,
            )
        )
    body = format_html_join(
        "",
        '<rect x="{0}" y="{1}" width="{2}" height="{3}" fill="{4}" rx="3"></rect>'
        '<text x="{5}" y="{6}" text-anchor="middle" class="chart-count">{7}</text>'
        '<text x="{5}" y="{8}" text-anchor="middle" class="chart-label">{9}</text>',
        bars,
    )
    title = _("Total score by cycle")
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-label="{}" class="history-chart" font-family="Noto Serif CJK SC, Noto Sans CJK SC, serif" '
        'font-size="13"><title>{}</title>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#adb5bd"></line>{}</svg>',
        width,
        height,
        width,
        height,
        title,
        title,
        left,
        height - bottom,
        width - left,
        height - bottom,
        body,
    )
