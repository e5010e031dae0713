"""The downloaded file's name the security log records, read back from Content-Disposition
as browsers read it (RFC 6266 with RFC 5987's filename*)."""

import pytest
from django.utils.http import content_disposition_header

from security.events import attachment_name


@pytest.mark.parametrize(
    "name", ["会议记录.pdf", "X.pdf", "plan X", "a=b.xlsx", "100%.docx", "it's.pdf", "a;b.pdf"]
)
def test_the_name_django_sends_is_the_name_recorded(name):
    assert attachment_name(content_disposition_header(True, name)) == name


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ('attachment; filename="X-ray.pdf"', "X-ray.pdf"),
        ('attachment;filename="a=b.pdf"', "a=b.pdf"),  # no space after the semicolon
        ("attachment; filename*=UTF-8''%FF.pdf", "\ufffd.pdf"),  # not UTF-8: shown, not raised
        ("attachment; filename=\"plain.pdf\"; filename*=UTF-8''%E5%90%8D.pdf", "名.pdf"),
        ("inline", ""),
        ("", ""),
    ],
)
def test_headers_as_they_come(header, name):
    assert attachment_name(header) == name
