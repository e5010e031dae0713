"""Excel builders: data in, bytes out (openpyxl).

Text that starts with =, +, - or @ gets a leading single quote, so that Excel and WPS show it
as text and never run it as a formula (CSV/formula injection; common.spreadsheets).
"""

import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from common.spreadsheets import not_a_formula, set_up_printing

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEEEEE")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def safe(value):
    """A cell value that Excel shows as written and never evaluates."""
    if isinstance(value, Decimal):
        return float(value)
    return not_a_formula(value)


def write_sheet(
    workbook,
    title,
    header,
    rows,
    widths,
    *,
    freeze="A2",
    number_format="0.0",
    wrap=(),
    heading="",
):
    """A sheet written row by row (openpyxl's write-only mode: a workbook of thousands of
    agencies is never held in memory whole). ``wrap``: the 1-based columns whose long text
    wraps; ``heading`` prints above the sheet's name on every page. Everything about the
    sheet is set before its first row, as write-only asks."""
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = freeze
    set_up_printing(sheet, f"{heading} {title}".strip())
    sheet.append([_header_cell(sheet, value) for value in header])
    for row in rows:
        sheet.append(
            [_cell(sheet, value, number_format, i in wrap) for i, value in enumerate(row, 1)]
        )
    return sheet


def _header_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=safe(value))
    cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
    return cell


def _cell(sheet, value, number_format, wrap):
    value = safe(value)
    if not wrap and not isinstance(value, float):
        return value  # a plain value: no cell object needed
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, float):
        cell.number_format = number_format
    if wrap:
        cell.alignment = WRAP
    return cell


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def score_matrix_xlsx(data: dict) -> bytes:
    """Agencies in roster order × standards' points, category scores, total and grade;
    second sheet: the document status matrix."""
    workbook = new_workbook()
    standards = data["standards"]
    header = ["序号", "编码", "代办处（经办机构）", "状态"]
    header += [s["code"] for s in standards]
    header += [c for c in data["category_names"]] + ["总分", "等级"]
    rows = (
        [row["serial"], row["code"], row["name"], row["status"]]
        + [row["points"].get(s["id"], "") for s in standards]
        + row["categories"]
        + [row["total"], row["grade"]]
        for row in data["rows"]
    )
    widths = [6, 7, 18, 9] + [6] * len(standards) + [12] * len(data["category_names"]) + [8, 8]
    heading = data["heading"]
    write_sheet(workbook, "得分矩阵", header, rows, widths, freeze="E2", wrap=(3,), heading=heading)
    documents = data["documents"]
    doc_header = ["序号", "编码", "代办处（经办机构）"] + [f"资料{d['number']}" for d in documents]
    doc_rows = ([r["serial"], r["code"], r["name"], *r["documents"]] for r in data["rows"])
    write_sheet(
        workbook,
        "资料提交情况",
        doc_header,
        doc_rows,
        [6, 7, 18] + [10] * len(documents),
        freeze="D2",
        wrap=(3,),
        heading=heading,
    )
    history = data["history"]
    years_header = [f"{year}年{label}" for year in history["years"] for label in ("总分", "等级")]
    write_sheet(
        workbook,
        "历年总分",
        ["序号", "编码", "代办处（经办机构）", *years_header],
        history["rows"],
        [6, 7, 18] + [11, 11] * len(history["years"]),
        freeze="D2",
        wrap=(3,),
        heading=heading,
    )
    write_sheet(
        workbook,
        "说明",
        ["项目", "内容"],
        [[s["code"], s["text"]] for s in standards]
        + [[f"资料{d['number']}", d["title"]] for d in documents],
        [8, 100],
        wrap=(2,),
        heading=heading,
    )
    return workbook_bytes(workbook)


def circular_xlsx(data: dict) -> bytes:
    workbook = new_workbook()
    heading = f"{data['cycle'].year}年度稽核通报"
    names = [a["name"] for a in data["averages"]]
    ranked = (
        [i, a.agency.code, a.agency.name, a.total_score, a.get_grade_display()]
        + [c.get("score") and float(c["score"]) for c in a.category_scores]
        for i, a in enumerate(data["ranked"], start=1)
    )
    write_sheet(
        workbook,
        "排名",
        ["名次", "编码", "代办处（经办机构）", "总分", "等级", *names],
        ranked,
        [6, 7, 20, 8, 8] + [12] * len(names),
        wrap=(3,),
        heading=heading,
    )
    write_sheet(
        workbook,
        "等级分布",
        ["等级", "数量"],
        [[label, count] for _value, label, count in data["grades"]]
        + [["合计", data["finalized_count"]]],
        [10, 8],
        heading=heading,
    )
    write_sheet(
        workbook,
        "类别平均分",
        ["类别", "平均分"],
        [[a["name"], a["average"]] for a in data["averages"]],
        [16, 10],
        heading=heading,
    )
    write_sheet(
        workbook,
        "常见问题",
        ["标准", "内容", "基本符合", "不符合"],
        [[c["code"], c["text"], c["largely"], c["non"]] for c in data["common"]],
        [8, 80, 10, 10],
        wrap=(2,),
        heading=heading,
    )
    if data.get("recurring"):
        write_sheet(
            workbook,
            "屡查屡犯",
            ["编码", "代办处（经办机构）", "标准", "问题类型", "以往年度"],
            [
                [r["code"], r["agency"], r["standard"], r["problem_type"] or "未分类", r["years"]]
                for r in data["recurring"]
            ],
            [7, 20, 8, 28, 14],
            wrap=(2, 4),
            heading=heading,
        )
    comparison = data.get("comparison")
    if comparison:
        year_then, year_now = comparison["previous"].year, data["cycle"].year
        write_sheet(
            workbook,
            "与上年比较",
            ["项目", f"{year_then}年度", f"{year_now}年度", "变化"],
            [
                [f"{c['name']}平均分", c["then"], c["now"], c["change"]]
                for c in comparison["categories"]
            ]
            + [
                [f"{label}（个）", then, now, now - then]
                for label, then, now in comparison["grades"]
            ]
            + [
                [
                    f"上升：{m['audit'].agency.code} {m['audit'].agency.name}",
                    m["then"],
                    m["audit"].total_score,
                    m["change"],
                ]
                for m in comparison["up"]
            ]
            + [
                [
                    f"下降：{m['audit'].agency.code} {m['audit'].agency.name}",
                    m["then"],
                    m["audit"].total_score,
                    m["change"],
                ]
                for m in comparison["down"]
            ],
            [30, 12, 12, 10],
            freeze="B2",
            wrap=(1,),
            heading=heading,
        )
    if data.get("rectification"):
        write_sheet(
            workbook,
            "整改情况",
            ["编码", "代办处（经办机构）", "整改项", "已销号", "逾期", "完成率（%）"],
            [
                [r.audit.agency.code, r.audit.agency.name, r.total, r.closed, r.overdue, r.rate]
                for r in data["rectification"]["rows"]
            ],
            [7, 20, 8, 8, 8, 11],
            wrap=(2,),
            heading=heading,
        )
    if data.get("self_assessment"):
        write_sheet(
            workbook,
            "自评与稽核差异",
            ["编码", "代办处（经办机构）", "自评总分", "稽核总分", "差异（自评减稽核）"],
            [
                [
                    g["audit"].agency.code,
                    g["audit"].agency.name,
                    g["self_total"],
                    g["audit"].total_score,
                    g["difference"],
                ]
                for g in data["self_assessment"]["largest"]
            ],
            [7, 20, 10, 10, 18],
            wrap=(2,),
            heading=heading,
        )
    return workbook_bytes(workbook)


LEDGER_HEADER = [
    "序号",
    "代办处",
    "编码",
    "稽核标准",
    "问题描述",
    "整改要求",
    "整改措施",
    "责任人",
    "整改期限",
    "完成时间",
    "状态",
    "核验人",
    "销号日期",
]
LEDGER_WIDTHS = [6, 14, 7, 9, 40, 36, 40, 10, 12, 12, 14, 10, 12]


def rectification_ledger_xlsx(rows, heading: str = "") -> bytes:
    """整改台账 in the columns an office uses, one row per item (ledger.LedgerRow), in
    roster order; long texts wrap, the header stays in view and prints on every page."""
    workbook = new_workbook()

    def status(row):
        label = row.item.get_status_display()
        if row.overdue:
            label += "（逾期）"
        if row.waiting:
            label += "（延期申请中）"
        return label

    def day(value):
        return value.isoformat() if value else ""

    write_sheet(
        workbook,
        "整改台账",
        LEDGER_HEADER,
        (
            [
                row.serial,
                row.item.audit.agency.name,
                row.item.audit.agency.code,
                row.item.standard.code,
                row.item.finding,
                row.item.requirement,
                row.item.measures,
                row.item.responsible,
                day(row.item.deadline),
                day(row.item.completed_on),
                status(row),
                row.item.closed_by.display_name if row.item.closed_by else "",
                day(row.item.closed_at and timezone.localdate(row.item.closed_at)),
            ]
            for row in rows
        ),
        LEDGER_WIDTHS,
        wrap=(2, 5, 6, 7, 8, 11),
        heading=heading,
    )
    return workbook_bytes(workbook)
