"""Excel builders: data in, bytes out (openpyxl).

Text that starts with =, +, - or @ gets a leading single quote, so that Excel and WPS show it
as text and never run it as a formula (CSV/formula injection; audit_portal.spreadsheets).
"""

import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from audit_portal.spreadsheets import not_a_formula

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEEEEE")


def safe(value):
    """A cell value that Excel shows as written and never evaluates."""
    if isinstance(value, Decimal):
        return float(value)
    return not_a_formula(value)


def _sheet(workbook, title, header, rows, widths, *, first=False, number_format="0.0"):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append([safe(value) for value in row])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = number_format
    sheet.freeze_panes = "A2"
    return sheet


def _bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def score_matrix_xlsx(data: dict) -> bytes:
    """Agencies in roster order × standards' points, category scores, total and grade;
    second sheet: the document status matrix."""
    workbook = Workbook()
    standards = data["standards"]
    header = ["序号", "编码", "代办处（经办机构）", "状态"]
    header += [s["code"] for s in standards]
    header += [c for c in data["category_names"]] + ["总分", "等级"]
    rows = []
    for row in data["rows"]:
        rows.append(
            [row["serial"], row["code"], row["name"], row["status"]]
            + [row["points"].get(s["id"], "") for s in standards]
            + row["categories"]
            + [row["total"], row["grade"]]
        )
    widths = [6, 7, 18, 9] + [6] * len(standards) + [12] * len(data["category_names"]) + [8, 8]
    sheet = _sheet(workbook, "得分矩阵", header, rows, widths, first=True)
    sheet.freeze_panes = "E2"
    documents = data["documents"]
    doc_header = ["序号", "编码", "代办处（经办机构）"] + [f"资料{d['number']}" for d in documents]
    doc_rows = [[r["serial"], r["code"], r["name"], *r["documents"]] for r in data["rows"]]
    doc_sheet = _sheet(
        workbook, "资料提交情况", doc_header, doc_rows, [6, 7, 18] + [10] * len(documents)
    )
    doc_sheet.freeze_panes = "D2"
    history = data["history"]
    years_header = [f"{year}年{label}" for year in history["years"] for label in ("总分", "等级")]
    year_sheet = _sheet(
        workbook,
        "历年总分",
        ["序号", "编码", "代办处（经办机构）", *years_header],
        history["rows"],
        [6, 7, 18] + [10, 8] * len(history["years"]),
    )
    year_sheet.freeze_panes = "D2"
    legend = _sheet(
        workbook,
        "说明",
        ["项目", "内容"],
        [[s["code"], s["text"]] for s in standards]
        + [[f"资料{d['number']}", d["title"]] for d in documents],
        [8, 100],
    )
    for row in legend.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    return _bytes(workbook)


def circular_xlsx(data: dict) -> bytes:
    workbook = Workbook()
    names = [a["name"] for a in data["averages"]]
    ranked = [
        [i, a.agency.code, a.agency.name, a.total_score, a.get_grade_display()]
        + [c.get("score") and float(c["score"]) for c in a.category_scores]
        for i, a in enumerate(data["ranked"], start=1)
    ]
    _sheet(
        workbook,
        "排名",
        ["名次", "编码", "代办处（经办机构）", "总分", "等级", *names],
        ranked,
        [6, 7, 20, 8, 8] + [12] * len(names),
        first=True,
    )
    _sheet(
        workbook,
        "等级分布",
        ["等级", "数量"],
        [[label, count] for _value, label, count in data["grades"]]
        + [["合计", data["finalized_count"]]],
        [10, 8],
    )
    _sheet(
        workbook,
        "类别平均分",
        ["类别", "平均分"],
        [[a["name"], a["average"]] for a in data["averages"]],
        [16, 10],
    )
    _sheet(
        workbook,
        "常见问题",
        ["标准", "内容", "基本符合", "不符合"],
        [[c["code"], c["text"], c["largely"], c["non"]] for c in data["common"]],
        [8, 80, 10, 10],
    )
    comparison = data.get("comparison")
    if comparison:
        year_then, year_now = comparison["previous"].year, data["cycle"].year
        sheet = _sheet(
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
        )
        sheet.freeze_panes = "B2"
    if data.get("rectification"):
        _sheet(
            workbook,
            "整改情况",
            ["编码", "代办处（经办机构）", "整改项", "已销号", "逾期", "完成率（%）"],
            [
                [r.audit.agency.code, r.audit.agency.name, r.total, r.closed, r.overdue, r.rate]
                for r in data["rectification"]["rows"]
            ],
            [7, 20, 8, 8, 8, 11],
        )
    if data.get("self_assessment"):
        _sheet(
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
        )
    return _bytes(workbook)


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


def rectification_ledger_xlsx(rows) -> bytes:
    """整改台账 in the columns an office uses, one row per item (ledger.LedgerRow), in
    roster order; long texts wrap, the header stays in view."""
    workbook = Workbook()

    def status(row):
        label = row.item.get_status_display()
        if row.overdue:
            label += "（逾期）"
        if row.waiting:
            label += "（延期申请中）"
        return label

    def day(value):
        return value.isoformat() if value else ""

    sheet = _sheet(
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
        first=True,
    )
    wrap = Alignment(wrap_text=True, vertical="top")
    for column in ("E", "F", "G"):
        for cell in sheet[column][1:]:
            cell.alignment = wrap
    return _bytes(workbook)
