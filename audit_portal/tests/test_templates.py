from pathlib import Path

from django.conf import settings


def test_no_template_comment_spreads_over_lines():
    """Django's {# #} ends at its line: one spread over lines is printed on the page (it
    was, once, on the circular's first page of a long ranking). {% comment %} spreads."""
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for number, line in enumerate(template.read_text().splitlines(), start=1):
            if "{#" in line:
                assert "#}" in line[line.index("{#") :], f"{template}:{number}"
