"""The self-assessment in print: the 自查自评表 and 稽核评分表 PDFs, the agency report's
对照 section and the circular's list of the largest differences."""

import io
import re

from openpyxl import load_workbook

from checklist.models import Result
from checklist.tests.helpers import audit_of, save
from reports import services as reports
from reports.tests.helpers import pdf_text, scored_and_submitted
from selfassessment import services

from .helpers import fill, fill_everything


def _flat(content: bytes) -> str:
    return re.sub(r"\s+", "", pdf_text(content))


def test_the_blank_scoring_form_has_every_standard_and_signature_lines(client_for, cycle):
    response = client_for("auditor").get("/cycles/2023/agencies/004/scoring-form.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    text = _flat(response.content)
    assert "朝阳区总工会代办处" in text or "朝阳" in text
    assert "编码004" in text and "2023年度稽核评分表" in text
    for code in ("1-1", "1-5", "2-3", "3-4"):
        assert code in text
    assert "稽核人员签字" in text and "代办处负责人签字" in text
    assert "☑" not in pdf_text(response.content)


def test_the_filled_scoring_form_carries_the_current_scores(client_for, auditor):
    audit = audit_of("004")
    audit.auditors.add(auditor)
    save(audit, "2-3", auditor, result=Result.NON_COMPLIANT, points="3.5", finding="台账未及时登记")
    text = _flat(
        client_for("auditor").get("/cycles/2023/agencies/004/scoring-form.pdf?filled=1").content
    )
    assert "台账未及时登记" in text and "3.5" in text
    assert "☑不符合" in text


def test_the_scoring_form_is_for_the_office_only(client_for, cycle):
    assert (
        client_for("staff004").get("/cycles/2023/agencies/004/scoring-form.pdf").status_code == 403
    )
    assert (
        client_for("staff007").get("/cycles/2023/agencies/004/scoring-form.pdf").status_code == 404
    )


def test_the_agency_prints_its_own_self_assessment_only(client_for, cycle, staff004):
    audit = audit_of("004")
    fill(
        audit,
        "1-2",
        staff004,
        result=Result.LARGELY_COMPLIANT,
        points="6",
        explanation="会议记录缺两次",
    )
    response = client_for("staff004").get("/cycles/2023/agencies/004/self-assessment.pdf")
    assert response.status_code == 200
    text = _flat(response.content)
    assert "2023年度自查自评表" in text and "会议记录缺两次" in text and "填表人签字" in text
    assert (
        client_for("staff007").get("/cycles/2023/agencies/004/self-assessment.pdf").status_code
        == 404
    )
    assert (
        client_for("manager").get("/cycles/2023/agencies/004/self-assessment.pdf").status_code
        == 200
    )


def test_the_report_sets_the_self_assessment_beside_the_audit(auditor, manager, staff004):
    audit = audit_of("004")
    fill_everything(audit, staff004, shortfalls={"1-2": "8"})
    services.submit(audit=audit, by=staff004)
    audit = scored_and_submitted("004", auditor, shortfalls=("1-2", "2-3"))  # 4 points each
    issued = reports.finalize_and_issue(audit=audit, by=manager)
    text = _flat(bytes(issued.content))
    assert "自查自评与稽核对照" in text
    assert "五、稽核前资料提交情况" in text  # numbered after it
    state = audit.self_assessment
    audit.refresh_from_db()
    difference = state.total_score - audit.total_score
    assert f"相差+{difference}" in text
    assert "得分不同的标准2项" in text
    # 1-2: self 8, audit 4 → +4; 2-3: self 10 (符合), audit 4 → +6; the rest equal (—)
    assert "1-2基本符合8.0不符合4.0+4.0" in text
    assert "2-3符合10.0不符合4.0+6.0" in text


def test_without_a_submitted_self_assessment_the_report_has_no_such_section(
    auditor, manager, staff004
):
    audit = audit_of("004")
    fill(audit, "1-1", staff004, result=Result.COMPLIANT)  # a draft is not reported
    audit = scored_and_submitted("004", auditor)
    text = _flat(bytes(reports.finalize_and_issue(audit=audit, by=manager).content))
    assert "自查自评" not in text
    assert "四、稽核前资料提交情况" in text


def test_the_circular_lists_the_agencies_whose_self_assessment_differs_most(
    client_for, auditor, manager, staff004, staff007
):
    for code, staff, shortfalls in (("004", staff004, {}), ("007", staff007, {"1-2": "9"})):
        audit = audit_of(code)
        fill_everything(audit, staff, shortfalls=shortfalls)
        services.submit(audit=audit, by=staff)
    for code in ("004", "007"):
        reports.finalize_and_issue(audit=scored_and_submitted(code, auditor), by=manager)
    text = _flat(client_for("manager").get("/cycles/2023/circular.pdf").content)
    assert "自评与稽核差异较大的代办处" in text
    assert "已定稿且提交自评的代办处2个" in text
    # 004 self-assessed everything 符合 (100), so it differs more than 007 and comes first
    section = text[text.index("自评与稽核差异较大的代办处") :]
    assert section.index("004") < section.index("007")

    book = load_workbook(
        io.BytesIO(client_for("manager").get("/cycles/2023/circular.xlsx").content)
    )
    rows = list(book["自评与稽核差异"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["004", "007"]
    assert rows[0][2] == 100 and rows[0][4] == round(rows[0][2] - rows[0][3], 1)
