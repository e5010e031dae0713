import io
import re

from openpyxl import load_workbook

from reports.excel import safe
from reports.tests.helpers import pdf_text, scored_and_submitted


def _finalized(client_for, auditor, code, shortfalls):
    scored_and_submitted(code, auditor, shortfalls=shortfalls)
    client_for("manager").post(f"/cycles/2023/agencies/{code}/finalize/")


def test_scores_xlsx_has_agencies_in_roster_order_by_standard(client_for, auditor):
    _finalized(client_for, auditor, "004", ("1-2",))
    response = client_for("auditor").get("/cycles/2023/scores.xlsx")
    assert response.status_code == 200
    assert "attachment;" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["得分矩阵", "资料提交情况", "历年总分", "说明"]
    sheet = book["得分矩阵"]
    assert sheet.freeze_panes == "E2"
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["序号", "编码", "代办处（经办机构）", "状态", "1-1"]
    assert header[-5:] == ["组织机构管理", "业务管理", "财务管理", "总分", "等级"]
    assert len(header) == 4 + 29 + 3 + 2
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows[:3]] == ["004", "007", "008"] and len(rows) == 50
    assert rows[0][4] == 10 and rows[0][5] == 4
    assert rows[0][-1] == "优秀"
    assert book["资料提交情况"]["D2"].value == "未提交"


def test_cell_text_never_runs_as_a_formula():
    assert safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe("+1") == "'+1" and safe("-1") == "'-1" and safe("@SUM(A1)") == "'@SUM(A1)"
    assert safe("正常文字") == "正常文字" and safe(3.5) == 3.5


def test_circular_pdf_and_excel_rank_the_finalized_agencies(client_for, auditor):
    from checklist.tests.helpers import audit_of

    audit_of("007").auditors.add(auditor)
    _finalized(client_for, auditor, "004", ("1-2",))
    _finalized(client_for, auditor, "007", ("1-2", "2-3", "3-1", "3-4"))
    text = pdf_text(client_for("manager").get("/cycles/2023/circular.pdf").content).replace(
        "\n", ""
    )
    assert "关于2023年度稽核情况的通报" in text
    assert re.search(r"已定稿\s*2\s*个", text)
    assert text.index("朝阳") < text.index("怀柔")
    assert "等级分布" in text and "1-2" in text

    book = load_workbook(
        io.BytesIO(client_for("manager").get("/cycles/2023/circular.xlsx").content)
    )
    ranking = list(book["排名"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in ranking] == ["004", "007"]
    common = list(book["常见问题"].iter_rows(min_row=2, values_only=True))
    assert common[0][0] == "1-2" and common[0][3] == 2


def test_exports_are_for_the_office(client_for):
    for url in (
        "/cycles/2023/scores.xlsx",
        "/cycles/2023/circular.pdf",
        "/cycles/2023/circular.xlsx",
    ):
        assert client_for("staff004").get(url).status_code == 403
        assert client_for("anonymous").get(url).status_code == 302


def test_standards_failed_outright_rank_above_ones_largely_met(client_for, auditor, cycle):
    from checklist.models import Assessment
    from checklist.tests.helpers import audit_of
    from reports import data

    audit_of("007").auditors.add(auditor)
    _finalized(client_for, auditor, "004", ("1-3", "2-5"))
    _finalized(client_for, auditor, "007", ("1-3",))
    # 1-3: 基本符合 at two agencies; 2-5: 不符合 at one
    Assessment.objects.filter(standard__category__position=1, standard__number=3).update(
        result="largely"
    )
    common = data.circular(cycle)["common"]
    assert [(c["code"], c["largely"], c["non"]) for c in common] == [
        ("2-5", 0, 1),
        ("1-3", 2, 0),
    ]
    content = client_for("manager").get("/cycles/2023/circular.pdf").content
    assert "不符合”的次数从多到少排列" in pdf_text(content).replace("\n", "")
    # the ranking's agency column header stays on one line
    import subprocess

    words = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    assert ">代办处（经办机构）<" in words
