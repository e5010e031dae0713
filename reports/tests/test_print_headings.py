"""A heading of a printed report never stands alone at the bottom of a page (六、与上年比较 did,
in the circular): it goes to the next page with what follows it."""

import re
import subprocess

from django.template.loader import render_to_string

from reports import pdf

HEADING = re.compile(r"^[一二三四五六七八九十]+、")


def last_lines(content: bytes) -> list[str]:
    """The last line of text on each page, the page number below it left out."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, check=True, capture_output=True
    ).stdout.decode()
    lines = []
    for page in text.split("\f"):
        body = [line.strip() for line in page.splitlines() if line.strip()]
        body = [line for line in body if not re.fullmatch(r"第\s*\d+\s*页\s*共\s*\d+\s*页", line)]
        if body:
            lines.append(body[-1])
    return lines


def _sections() -> str:
    """Sections as the circular sets them (heading, legend, table) of 1 to 45 rows: over some
    twenty pages, headings fall at every height of a page."""
    style = render_to_string("reports/_print.css")
    parts = []
    for number in range(1, 46):
        rows = "".join(f"<tr><td>{number}-{row}</td><td>代办处</td></tr>" for row in range(number))
        parts.append(
            f"<h2>{'一二三四五六七八九十'[number % 10]}、第{number}节</h2>"
            f'<p class="legend">本节共 {number} 行。</p>'
            f"<table><thead><tr><th>编码</th><th>名称</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return f"<html lang='zh-CN'><style>{style}</style><body>{''.join(parts)}</body></html>"


def test_no_page_ends_with_a_heading():
    content = pdf.html_to_pdf(_sections())
    lines = last_lines(content)
    assert len(lines) > 15
    alone = [line for line in lines if HEADING.match(line) or line.startswith("本节共")]
    assert not alone, f"pages ending with a heading: {alone}"
