"""稽核工作底稿: one agency's scoring as an Excel workbook an auditor takes on site.

One row per applicable standard: its code, text and maximum (locked), and the current
result, points, finding, requirement and 不适用 reason (open to edit). 结果 is a drop-down of
the four results, 得分 is checked against 0 and the row's maximum, each column says its rule
when selected, and the page prints on A4 landscape with the header repeated, fitted to the
width. A hidden sheet carries a token signed with the portal's secret key: the audit, its
cycle and agency, and each row's standard and version at download, so that a work paper
brought back can be matched to what it was made from, and a forged one refused.
"""

import io
from dataclasses import dataclass, field

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from agencies.access import EDITABLE_STATUSES
from agencies.models import Audit
from common.spreadsheets import set_up_printing

from .models import Assessment, Result
from .services import applicable_standards

SALT = "checklist.workpaper"
SHEET = "稽核工作底稿"
KEY_SHEET = "底稿标识"
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
COLUMNS = ("编码", "稽核标准", "满分", "结果", "得分", "问题描述", "整改要求", "不适用原因")
WIDTHS = (7, 48, 7, 11, 8, 36, 36, 24)
FIELDS = ("result", "points", "finding", "rectification", "not_applicable_reason")
RESULT_NAMES = {
    Result.COMPLIANT: "符合",
    Result.LARGELY_COMPLIANT: "基本符合",
    Result.NON_COMPLIANT: "不符合",
    Result.NOT_APPLICABLE: "不适用",
}
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")


def file_name(audit: Audit) -> str:
    return f"{audit.cycle.year}-{audit.agency.code}-{audit.agency.name}-稽核工作底稿.xlsx"


def build(audit: Audit) -> bytes:
    """The work paper of ``audit`` as .xlsx bytes (two queries)."""
    standards = applicable_standards(audit)
    assessments = {a.standard_id: a for a in Assessment.objects.filter(audit=audit)}
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    title = f"{audit.agency.name}（{audit.agency.code}） {audit.cycle.title} 稽核工作底稿"
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = (
        f"下载于 {timezone.localtime():%Y-%m-%d %H:%M}。只填写“结果”至“不适用原因”各列；"
        "改好后在评分页“上传工作底稿”，核对后再写入系统。"
    )
    sheet["A2"].font = Font(color="666666")
    for column, (name, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=name)
        cell.font = Font(bold=True)
        cell.fill = LOCKED_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = BORDER
        sheet.column_dimensions[cell.column_letter].width = width
    rows = {}
    for offset, standard in enumerate(standards):
        row = FIRST_ROW + offset
        assessment = assessments.get(standard.pk)
        values = [
            standard.code,
            standard.text,
            float(standard.max_points),
            RESULT_NAMES.get(assessment.result, "") if assessment else "",
            float(assessment.points) if assessment and assessment.points is not None else None,
            assessment.finding if assessment else "",
            assessment.rectification if assessment else "",
            assessment.not_applicable_reason if assessment else "",
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if isinstance(value, str) and value:
                # text stays text, "=1+1" included: a string cell is never evaluated
                cell.data_type = "s"
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if column <= 3:
                cell.fill = LOCKED_FILL
            else:
                cell.protection = Protection(locked=False)
        sheet.cell(row=row, column=5).number_format = "0.0"
        sheet.cell(row=row, column=3).number_format = "0.0"
        rows[standard.code] = [standard.pk, assessment.version if assessment else 0]
    last = FIRST_ROW + len(standards) - 1
    _validations(sheet, last)
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=4)
    sheet.protection.sheet = True
    sheet.protection.formatRows = False  # rows may be made taller to read long texts
    sheet.protection.formatColumns = False
    set_up_printing(sheet, title, header_rows=f"{HEADER_ROW}:{HEADER_ROW}")

    keys = book.create_sheet(KEY_SHEET)
    keys["A1"] = "本表由系统生成，用于核对上传的工作底稿，请勿修改。"
    keys["A2"] = signing.dumps(
        {
            "audit": audit.pk,
            "year": audit.cycle.year,
            "agency": audit.agency.code,
            "rows": rows,
        },
        salt=SALT,
        compress=True,
    )
    keys.sheet_state = "hidden"
    keys.protection.sheet = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bundle(audits) -> bytes:
    """The work papers of several audits as one ZIP, a workbook each (their file names)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for audit in audits:
            archive.writestr(file_name(audit), build(audit))
    return out.getvalue()


def _validations(sheet, last: int) -> None:
    if last < FIRST_ROW:
        return
    results = DataValidation(
        type="list",
        formula1='"' + ",".join(RESULT_NAMES.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="结果",
        error="请从下拉列表中选择：符合、基本符合、不符合或不适用。",
        promptTitle="结果",
        prompt="符合得满分；基本符合、不符合须填得分和问题描述；不适用须写原因。",
    )
    results.add(f"D{FIRST_ROW}:D{last}")
    points = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2=f"C{FIRST_ROW}",  # relative: each row's own maximum
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="得分",
        error="得分须在 0 与该项满分之间，最多一位小数。",
        promptTitle="得分",
        prompt="0 至满分，最多一位小数；符合的不必填（按满分计）。",
    )
    points.add(f"E{FIRST_ROW}:E{last}")
    sheet.add_data_validation(results)
    sheet.add_data_validation(points)


KINDS = ("unchanged", "changed", "conflict", "invalid")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 1000
RESULTS_BY_NAME = {name: value for value, name in RESULT_NAMES.items()}


class WorkpaperError(Exception):
    """The file cannot be read as this audit's work paper; the message says why."""


@dataclass
class Row:
    """One standard of an uploaded work paper against the portal, for the preview."""

    code: str
    standard: object
    kind: str  # unchanged, changed, conflict, invalid
    values: dict = field(default_factory=dict)  # the file's values, cleaned (none when invalid)
    current: object = None  # the assessment as it is in the portal, or None
    error: str = ""  # why the row is invalid, naming its line in the sheet

    @property
    def portal(self) -> dict:
        """The standard's values in the portal now (empty ones for a standard never saved)."""
        return {
            name: getattr(self.current, name) if self.current else EMPTY[name] for name in FIELDS
        }

    def lines(self) -> list[tuple[str, str, str]]:
        """(field, in the portal, in the file) for each field that differs, in words."""
        from .models import AssessmentChange

        portal = self.portal
        differ = [name for name in FIELDS if portal[name] != self.values.get(name)]
        return AssessmentChange(
            old={name: _jsonable(portal[name]) for name in differ},
            new={name: _jsonable(self.values.get(name)) for name in differ},
        ).lines()


EMPTY = {
    "result": "",
    "points": None,
    "finding": "",
    "rectification": "",
    "not_applicable_reason": "",
}


def _jsonable(value):
    return None if value is None else str(value) if not isinstance(value, str) else value


def _cell_text(value) -> str:
    """A text cell as the portal keeps it: line breaks as typed, a number as written."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _cell_points(value):
    """得分 as Excel, LibreOffice or a person wrote it: 7, 7.0, "7", "7.5"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):  # six digits: 7.0 is "7", 6.1000000000001 (noise) "6.1"
        return format(value, "g")
    return str(value).strip()  # an int, a bool (refused as no number) or the text typed


def read(upload, audit: Audit) -> tuple[dict, dict]:
    """The signed key and the rows (code -> (row number, cells)) of an uploaded work paper,
    or WorkpaperError saying in words why it is not this audit's."""
    from openpyxl import load_workbook

    if audit.status not in EDITABLE_STATUSES:
        raise WorkpaperError(
            _("This audit is %(status)s: a work paper can no longer be brought in.")
            % {"status": audit.get_status_display()}
        )
    if upload.size > MAX_BYTES:
        raise WorkpaperError(_("The file is larger than 5 MB; a work paper is far smaller."))
    try:
        book = load_workbook(upload, read_only=True, data_only=False)
    except Exception as error:  # not a zip, not a workbook, a damaged one: openpyxl varies
        raise WorkpaperError(
            _(
                "This file could not be read as an Excel workbook (.xlsx); choose the work paper downloaded from this page."
            )
        ) from error
    if KEY_SHEET not in book.sheetnames or SHEET not in book.sheetnames:
        raise WorkpaperError(
            _("This is not a work paper downloaded from the portal (its sheets are missing).")
        )
    token = book[KEY_SHEET]["A2"].value
    try:
        key = signing.loads(str(token), salt=SALT)  # an empty cell's "None" fails too
    except signing.BadSignature as error:
        raise WorkpaperError(
            _("The work paper's key has been changed, so it cannot be matched; download it again.")
        ) from error
    if key.get("audit") != audit.pk:
        raise WorkpaperError(
            _(
                "This work paper belongs to %(year)s, agency %(code)s: upload it on that agency's scoring page."
            )
            % {"year": key.get("year"), "code": key.get("agency")}
        )
    rows, filled = {}, 0
    for line, cells in enumerate(
        book[SHEET].iter_rows(min_row=FIRST_ROW, values_only=True), start=FIRST_ROW
    ):
        cells = list(cells) + [None] * len(COLUMNS)
        code = _cell_text(cells[0])
        if not code and not any(cells[3:8]):
            continue  # an empty row, however far down a spreadsheet program formatted it
        filled += 1
        if filled > MAX_ROWS:
            raise WorkpaperError(
                _("The work paper has more than %(n)s rows; a checklist has far fewer.")
                % {"n": MAX_ROWS}
            )
        rows.setdefault(code, (line, cells))
    book.close()
    return key, rows


def compare(audit: Audit, key: dict, rows: dict) -> list[Row]:
    """Each signed standard: unchanged, changed (the file differs, the portal did not
    change since the download), conflict (both changed), or invalid (with the cell's row)."""
    from .services import Entry, ScoringError, _clean_entry

    standards = {s.pk: s for s in applicable_standards(audit)}
    current = {
        a.standard_id: a
        for a in Assessment.objects.filter(audit=audit).select_related("updated_by")
    }
    found = []
    for code, (pk, base_version) in key["rows"].items():
        standard = standards.get(pk)
        if standard is None:
            continue  # no longer applies: nothing in the file can go there
        line, cells = rows.get(code, (None, None))
        if cells is None:
            continue  # the row was deleted from the file: nothing to change
        result_text = _cell_text(cells[3])
        if result_text and result_text not in RESULTS_BY_NAME:
            error = _(
                "Row %(line)s: the result “%(text)s” is not one of 符合, 基本符合, 不符合, 不适用."
            ) % {"line": line, "text": result_text[:20]}
            found.append(Row(code, standard, "invalid", error=error))
            continue
        entry = Entry(
            result=RESULTS_BY_NAME.get(result_text, ""),
            points=_cell_points(cells[4]),
            finding=_cell_text(cells[5]),
            rectification=_cell_text(cells[6]),
            not_applicable_reason=_cell_text(cells[7]),
        )
        try:
            values = _clean_entry(entry, standard)
        except ScoringError as error:
            message = _("Row %(line)s (%(code)s): %(error)s")
            error = message % {"line": line, "code": code, "error": error}
            found.append(Row(code, standard, "invalid", error=error))
            continue
        assessment = current.get(pk)
        row = Row(code, standard, "changed", values, assessment)
        if all(row.portal[name] == values[name] for name in FIELDS):
            row.kind = "unchanged"
        elif (assessment.version if assessment else 0) != base_version:
            row.kind = "conflict"
        found.append(row)
    return found


APPLY_SALT = SALT + ".apply"
PREVIEW_HOURS = 12


def preview_token(audit: Audit, rows: list[Row]) -> str:
    """What 写入系统 will save, signed: the file's values of the changed and conflicting rows
    and the portal's version each was compared with."""
    return signing.dumps(
        {
            "audit": audit.pk,
            "rows": {
                row.code: {
                    "standard": row.standard.pk,
                    "kind": row.kind,
                    "version": row.current.version if row.current else 0,
                    "values": {name: _jsonable(row.values[name]) for name in FIELDS},
                }
                for row in rows
                if row.kind in ("changed", "conflict")
            },
        },
        salt=APPLY_SALT,
        compress=True,
    )


def apply(*, audit: Audit, token: str, choices: dict, by) -> int:
    """Save the previewed rows through the scoring service, all or none: a conflict only
    where the person chose the file's value (``choices[code] == "file"``). Returns how many
    standards were saved."""
    from django.db import transaction

    from .models import Standard
    from .services import Entry, StaleVersion, save_assessment

    try:
        data = signing.loads(token, salt=APPLY_SALT, max_age=PREVIEW_HOURS * 3600)
    except signing.BadSignature as error:
        raise WorkpaperError(
            _("This preview has expired or was changed; upload the work paper again.")
        ) from error
    if data.get("audit") != audit.pk:
        raise WorkpaperError(_("This preview belongs to another agency's work paper."))
    undecided = [
        code
        for code, row in data["rows"].items()
        if row["kind"] == "conflict" and choices.get(code) not in ("file", "portal")
    ]
    if undecided:
        raise WorkpaperError(
            _("Choose which value to keep for %(codes)s; nothing was saved.")
            % {"codes": "、".join(undecided)}
        )
    standards = Standard.objects.select_related("category").in_bulk(
        [row["standard"] for row in data["rows"].values()]
    )
    saved = 0
    with transaction.atomic():
        for code, row in data["rows"].items():
            if row["kind"] == "conflict" and choices[code] == "portal":
                continue
            try:
                save_assessment(
                    audit=audit,
                    standard=standards[row["standard"]],
                    by=by,
                    expected_version=row["version"],
                    entry=Entry(**row["values"]),
                    source="workpaper",
                )
            except StaleVersion as error:
                raise WorkpaperError(
                    _(
                        "%(code)s was changed again after the preview; nothing was saved. Upload the work paper again to compare."
                    )
                    % {"code": code}
                ) from error
            saved += 1
    return saved
