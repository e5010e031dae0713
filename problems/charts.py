"""The analysis page's charts as server-side SVG (the same drawing can go into a PDF):
problems per cycle with the recurring part, and the most frequent types."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

PROBLEMS, RECURRING = "#8a939b", "#9f1d20"  # grey bars, the portal's red for 屡查屡犯
FONT = "Noto Sans CJK SC, Noto Serif CJK SC, sans-serif"


def trend_svg(years: list[dict], *, width: int = 520, height: int = 200) -> SafeString:
    """A bar per cycle: its problems, the recurring ones drawn over them, counts above."""
    title = _("Problems per cycle, of which recurring (屡查屡犯)")
    if not years:
        return SafeString("")
    top = max([y["problems"] for y in years] + [1])
    left, bottom, gap = 12, 28, 12
    plot = height - bottom - 24
    bar = (width - 2 * left - gap * (len(years) - 1)) / len(years)
    bars = []
    for i, y in enumerate(years):
        x = left + i * (bar + gap)
        h_all, h_rec = plot * y["problems"] / top, plot * y["recurring"] / top
        bars.append(
            (
                f"{x:.1f}",
                f"{height - bottom - h_all:.1f}",
                f"{bar:.1f}",
                f"{h_all:.1f}",
                f"{height - bottom - h_rec:.1f}",
                f"{h_rec:.1f}",
                f"{x + bar / 2:.1f}",
                f"{height - bottom - h_all - 6:.1f}",
                f"{y['problems']}（{y['recurring']}）",
                f"{height - bottom + 17:.1f}",
                y["year"],
            )
        )
    body = format_html_join(
        "",
        '<rect x="{0}" y="{1}" width="{2}" height="{3}" fill="' + PROBLEMS + '" rx="2"></rect>'
        '<rect x="{0}" y="{4}" width="{2}" height="{5}" fill="' + RECURRING + '" rx="2"></rect>'
        '<text x="{6}" y="{7}" text-anchor="middle">{8}</text>'
        '<text x="{6}" y="{9}" text-anchor="middle">{10}</text>',
        bars,
    )
    return _svg(width, height, title, body)


def types_svg(top_types: list[dict], *, width: int = 520) -> SafeString:
    """A horizontal bar per problem type, longest first, its count at the end."""
    if not top_types:
        return SafeString("")
    title = _("The most frequent problem types")
    row, label = 24, 210
    height = row * len(top_types) + 8
    most = max(t["count"] for t in top_types)
    room = width - label - 50
    rows = []
    for i, t in enumerate(top_types):
        y = 4 + i * row
        length = room * t["count"] / most
        rows.append(
            (
                f"{label - 6}",
                f"{y + 16}",
                t["type"].path if t["type"] else "",
                label,
                y + 3,
                f"{length:.1f}",
                f"{label + length + 5:.1f}",
                t["count"],
            )
        )
    body = format_html_join(
        "",
        '<text x="{0}" y="{1}" text-anchor="end">{2}</text>'
        '<rect x="{3}" y="{4}" width="{5}" height="17" fill="' + RECURRING + '" rx="2"></rect>'
        '<text x="{6}" y="{1}">{7}</text>',
        rows,
    )
    return _svg(width, height, title, body)


def _svg(width, height, title: str, body) -> SafeString:
    """The chart's frame: an image with its title, for screen readers and on hover."""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-label="{t}" class="problem-chart" font-family="{f}" font-size="12">'
        "<title>{t}</title>{b}</svg>",
        w=width,
        h=height,
        t=title,
        f=FONT,
        b=body,
    )
