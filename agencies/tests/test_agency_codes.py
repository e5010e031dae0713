"""Agency codes of 3 to 6 digits (issue 16): the database, roster lines, the report number
and the pages all take them; a code typed or read short is padded to the office's width."""

import pytest
from django.db import DataError, IntegrityError, transaction

from agencies.models import Agency, Audit, padded_code
from checklist import services as scoring
from checklist.tests.helpers import score_everything
from cycles.services import parse_roster
from reports.services import finalize_and_issue


@pytest.mark.parametrize("code", ["099", "1234", "123456"])
def test_three_to_six_digits_are_codes(db, code):
    Agency.objects.create(code=code, name=f"代办处{code}")
    assert Agency.objects.get(code=code).full_clean() is None


@pytest.mark.parametrize("code", ["12", "1234567", "12a4", "１２３"])
def test_the_database_refuses_any_other_code(db, code):
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Agency.objects.create(code=code, name="坏编码")


def test_a_short_code_is_padded_to_the_offices_width(settings):
    assert padded_code("4") == "004"
    assert padded_code("1234") == "1234"  # longer than the width: as typed
    assert padded_code("４") == "４"  # not ASCII digits: left for the check to refuse
    settings.AGENCY_CODE_DIGITS = 6
    assert padded_code("4") == "000004"
    assert padded_code("1234") == "001234"


def test_roster_lines_take_codes_of_three_to_six_digits(db, settings):
    rows, errors = parse_roster("123456 六位\n4 朝阳\n1234567 七位\n12a 坏")
    assert [r[0] for r in rows] == ["123456", "004"]
    assert errors == [
        "第 3 行：“1234567” 不是代办处编码（3 到 6 位数字，例如 004）。",
        "第 4 行：“12a” 不是代办处编码（3 到 6 位数字，例如 004）。",
    ]
    settings.AGENCY_CODE_DIGITS = 5
    rows, errors = parse_roster("42 某代办处")
    assert rows[0][0] == "00042" and not errors


def test_a_six_digit_agency_is_audited_reported_and_reached_by_its_url(
    client_for, cycle, auditor, manager
):
    agency = Agency.objects.create(code="110105", name="朝阳区某街道代办处")
    audit = Audit.objects.create(cycle=cycle, agency=agency, serial=51)
    audit.auditors.add(auditor)
    score_everything(audit, auditor)
    scoring.submit_audit(audit=audit, by=auditor)
    issued = finalize_and_issue(audit=audit, by=manager)
    assert issued.number == "稽核〔2023〕110105号"
    client = client_for("manager")
    for url in ("", "scoring/", "documents/", "report.pdf", "self-assessment/"):
        response = client.get(f"/cycles/2023/agencies/110105/{url}")
        assert response.status_code == 200, url
    assert "110105" in client.get("/cycles/2023/").content.decode()
