"""Helpers shared by the admin's Excel import and export (django-import-export).

Column headers are fixed Chinese names: the spreadsheets are exchanged with the office and
must import again whatever language the admin page was shown in.

Every spreadsheet the portal writes, here and in reports/excel.py, passes its text through
``not_a_formula``: a cell that starts like a formula (=HYPERLINK(…), +cmd|…) gets a leading
single quote, so that Excel and WPS show it as text and never run it (CSV/formula
injection). An import takes that quote off again, so a file exported and imported unchanged
changes nothing.
"""

import math
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
A4 = 9  # openpyxl's Worksheet.PAPERSIZE_A4 (a write-only sheet lacks the name)
PAGE_FOOTER = "第 &P 页 共 &N 页"


def set_up_printing(sheet, title: str, *, header_rows: str = "1:1") -> None:
    """How every sheet the portal writes prints: A4 landscape, all columns on one page's
    width (as many pages down as it takes), ``header_rows`` again at the top of every page,
    ``title`` above them and 第 N 页 共 M 页 below. Works on write-only sheets too (set it
    before the first row)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.25
    sheet.print_title_rows = header_rows
    # & starts a code in a header (&P, &N): a name with & in it prints as written
    sheet.oddHeader.center.text = title.replace("&", "&&")
    sheet.oddHeader.center.size = 12
    sheet.oddFooter.center.text = PAGE_FOOTER


def not_a_formula(value):
    """``value``, with a leading single quote if it is text that starts like a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_typed(value):
    """The text ``not_a_formula`` escaped, as it was typed."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class ChineseExportForm(SelectableFieldsExportForm):
    """The export page lists each column by its fixed Chinese header (编码), not by the
    resource's field name made English ("Code (编码)")."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        return field.column_name if field is not None else field_name


class SpreadsheetAdmin(ImportExportModelAdmin):
    """Excel first, CSV for the odd tool that cannot write .xlsx."""

    formats = [XLSX, CSV]
    export_form_class = ChineseExportForm


class SpreadsheetResource(resources.ModelResource):
    """A resource that reports every bad row of a file at once.

    When a row's key cannot be read (an unknown year, say), django-import-export would stop
    at that row with a bare error and hide the other rows' problems. Treating the row as new
    lets the field's own check report it, beside every other row's messages.
    """

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def export_field(self, field, instance, **kwargs):
        return not_a_formula(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs):
        for key, value in row.items():
            row[key] = as_typed(value)


class DigitsCodeWidget(widgets.CharWidget):
    """A code of digits kept as text.

    Excel turns a typed 004 into the number 4; a number in a code column can only mean
    that, so it is padded back to ``digits`` (by default the setting AGENCY_CODE_DIGITS).
    Text is taken as it is and checked by the model.
    """

    def __init__(self, digits: int | None = None, **kwargs):
        self.digits = digits
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            raise ValueError(_("This is not a code."))
        if isinstance(value, (int, float, Decimal)):
            if value != int(value) or value < 0:
                raise ValueError(_("A code is made of digits only, for example 004."))
            return str(int(value)).zfill(self.digits or settings.AGENCY_CODE_DIGITS)
        return "" if value is None else str(value).strip()


class TextWidget(widgets.Widget):
    """Text as written; an empty cell is an empty string, so the model's 必填 check speaks."""

    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).strip()


class ChoiceLabelWidget(widgets.Widget):
    """Reads and writes a choice by its label (直投), also accepting the stored value."""

    def __init__(self, choices, *, blank_value="", **kwargs):
        self.choices = choices
        self.blank_value = blank_value
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return self.blank_value
        for stored, label in self.choices:
            if text in (stored, str(label)):
                return stored
        allowed = "、".join(str(label) for _stored, label in self.choices)
        raise ValueError(
            _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class YesNoWidget(widgets.Widget):
    """是／否 in the sheet, True/False in the database."""

    YES = ("是", "yes", "y", "true", "1", "√")
    NO = ("否", "no", "n", "false", "0", "")

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip().lower()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("Write 是 or 否, not “%(value)s”.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


def whole_number(value) -> int:
    """A positive whole number as Excel or a person writes it: 3, 3.0 or "3". Anything else
    (1.5, "x", "²") is refused with a message: read leniently, 1.5 would become 1 and update
    another row than the one meant."""
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not a whole number such as 3.") % {"value": value})
    if isinstance(value, (int, float, Decimal)):
        if math.isfinite(value) and value == int(value) and 0 < value < 10_000:
            return int(value)
    else:
        text = "" if value is None else str(value).strip()
        if re.fullmatch(r"[0-9]{1,4}", text) and int(text) > 0:
            return int(text)
    raise ValueError(_("“%(value)s” is not a whole number such as 3.") % {"value": value})


class WholeNumberWidget(widgets.IntegerWidget):
    """A numbering column (序号): whole numbers only, see ``whole_number``."""

    def clean(self, value, row=None, **kwargs):
        return whole_number(value)


class PointsWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            raise ValueError(_("Points are required."))
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None
