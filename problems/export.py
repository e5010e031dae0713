"""problems.xlsx: the analysis page's figures as sheets, each printable (A4 landscape, one
page wide, the header row on every page; reports.excel.write_sheet)."""

from reports.excel import new_workbook, workbook_bytes, write_sheet

from . import analysis


def workbook(filters: analysis.Filters) -> bytes:
    figures = analysis.analysis(filters)
    years = [y["year"] for y in figures["years"]]
    book = new_workbook()
    heading = "问题库分析"
    write_sheet(
        book,
        "年度趋势",
        ["年度", "稽核代办处", "问题", "其中屡查屡犯", "有问题的代办处", "平均每个代办处"],
        [
            [y["year"], y["audits"], y["problems"], y["recurring"], y["agencies"], y["per_audit"]]
            for y in figures["years"]
        ],
        [8, 12, 8, 14, 16, 16],
        heading=heading,
    )
    write_sheet(
        book,
        "按类别",
        ["类别", *[f"{y}年度" for y in years]],
        [[c["name"], *c["counts"]] for c in figures["by_category"]],
        [18, *[10] * len(years)],
        wrap=(1,),
        heading=heading,
    )
    write_sheet(
        book,
        "问题类型",
        ["问题类型", "问题", "涉及代办处", "其中屡查屡犯"],
        [[t["type"].path, t["count"], t["agencies"], t["recurring"]] for t in figures["top_types"]]
        + [["未分类", figures["untyped"], None, None]],
        [36, 8, 12, 14],
        wrap=(1,),
        heading=heading,
    )
    heat = figures["heat"]
    write_sheet(
        book,
        "代办处×问题类型",
        ["编码", "代办处（经办机构）", "合计", *heat["columns"]],
        [
            [r["agency"].code, r["agency"].name, r["total"], *[c["n"] for c in r["cells"]]]
            for r in heat["rows"]
        ],
        [7, 20, 8, *[12] * len(heat["columns"])],
        wrap=(2,),
        heading=heading,
    )
    rows = analysis.recurring_rows(filters)
    write_sheet(
        book,
        "屡查屡犯",
        ["年度", "编码", "代办处（经办机构）", "标准", "问题类型", "问题描述"],
        (
            [
                r.year,
                r.agency.code,
                r.agency.name,
                r.standard.code,
                r.problem_type.path if r.problem_type else "未分类",
                r.assessment.finding,
            ]
            for r in rows.iterator(chunk_size=500)
        ),
        [8, 7, 18, 8, 26, 50],
        wrap=(3, 5, 6),
        heading=heading,
    )
    return workbook_bytes(book)
