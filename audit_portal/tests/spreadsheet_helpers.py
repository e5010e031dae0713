"""Helpers for the admin import tests: build an .xlsx in memory and drive the two steps."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

XLSX = "0"  # index of Excel in SpreadsheetAdmin.formats


def xlsx_upload(header, rows, name="data.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def read_xlsx(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def upload_for_preview(client, url, upload):
    """Step 1: the admin shows a preview (and the errors) and imports nothing yet."""
    return client.post(url, {"format": XLSX, "import_file": upload})


def confirm(client, url, preview_response):
    """Step 2: post the confirmation form the preview offered."""
    body = preview_response.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', body))
    fields.pop("csrfmiddlewaretoken", None)
    return client.post(url.replace("/import/", "/process_import/"), fields)
