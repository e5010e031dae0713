"""The autosave endpoint: one standard's fields, posted by htmx."""

import pytest

from agencies.models import AuditStatus
from checklist.models import Assessment, AssessmentChange, Result
from checklist.tests.helpers import audit_of

URL = "/cycles/2023/agencies/004/scoring/1-2/"


@pytest.fixture
def chaoyang(db, auditor):
    audit = audit_of("004")
    audit.auditors.add(auditor)
    return audit


def post(client, version=0, **fields):
    data = {
        "version": version,
        "result": "",
        "points": "",
        "finding": "",
        "rectification": "",
        "not_applicable_reason": "",
    }
    data.update(fields)
    return client.post(URL, data, HTTP_HX_REQUEST="true")


def test_a_save_answers_with_the_new_version_status_and_summary(client_for, chaoyang):
    response = post(
        client_for("auditor"), result=Result.NON_COMPLIANT, points="4", finding="会议记录不全"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="version-' in body and 'value="1" hx-swap-oob="true"' in body
    assert "已于" in body and "保存" in body
    assert 'id="score-summary"' in body and ">40.0<" in body
    assert 'id="audit-status"' in body and "稽核中" in body
    assert Assessment.objects.get(audit=chaoyang).finding == "会议记录不全"


def test_a_stale_save_is_refused_with_409_and_shows_the_newer_value(client_for, chaoyang, manager):
    first_page, second_page = client_for("auditor"), client_for("manager")
    assert post(first_page, version=0, result=Result.COMPLIANT).status_code == 200

    response = post(
        second_page, version=0, result=Result.NON_COMPLIANT, points="2", finding="另一位的意见"
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "艾稽核 于" in body and "保存了此标准的内容" in body
    assert "符合" in body and "采用对方的版本" in body and 'data-overwrite-version="1"' in body
    assessment = Assessment.objects.get(audit=chaoyang)
    assert (assessment.result, assessment.version) == (Result.COMPLIANT, 1)

    overwrite = post(
        second_page, version=1, result=Result.NON_COMPLIANT, points="2", finding="另一位的意见"
    )
    assert overwrite.status_code == 200
    assert Assessment.objects.get(audit=chaoyang).updated_by == manager
    assert AssessmentChange.objects.filter(assessment__audit=chaoyang).count() == 2


def test_a_rule_violation_answers_422_with_the_message(client_for, chaoyang):
    response = post(client_for("auditor"), result=Result.LARGELY_COMPLIANT, points="12")
    assert response.status_code == 422
    assert "未保存：" in response.content.decode()
    assert "得分必须在 0 到满分 10 分之间" in response.content.decode()
    assert not Assessment.objects.filter(audit=chaoyang).exists()


def test_a_garbled_form_answers_422(client_for, chaoyang):
    response = client_for("auditor").post(URL, {"version": "x"})
    assert response.status_code == 422


def test_an_auditor_not_assigned_gets_403(client_for, chaoyang, db):
    from accounts.models import Role, User

    other = User.objects.create(username="bystander", role=Role.AUDITOR)
    client = client_for("anonymous")
    client.force_login(other)
    assert post(client, result=Result.COMPLIANT).status_code == 403


def test_a_finalized_audit_answers_422_with_the_reason(client_for, chaoyang):
    chaoyang.status = AuditStatus.FINALIZED
    chaoyang.save()
    response = post(client_for("manager"), result=Result.COMPLIANT)
    assert response.status_code == 422
    assert "已定稿" in response.content.decode()


def test_get_renders_the_item_afresh(client_for, chaoyang):
    post(client_for("auditor"), result=Result.LARGELY_COMPLIANT, points="8", finding="一点问题")
    response = client_for("manager").get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<article class="assessment-item"')
    assert "一点问题" in body


def test_unknown_or_inapplicable_standards_are_404(client_for, chaoyang):
    assert client_for("manager").get("/cycles/2023/agencies/004/scoring/9-1/").status_code == 404
    assert client_for("manager").get("/cycles/2023/agencies/004/scoring/1-99/").status_code == 404


def _summary(html: str) -> str:
    start = html.index('<div id="score-summary"')
    fragment = html[start : html.index("</ul>", start)]
    return fragment.replace(' hx-swap-oob="true"', "")


def test_the_summary_after_a_save_says_what_the_page_says(client_for, chaoyang, auditor):
    from checklist.tests.helpers import score_everything

    client = client_for("auditor")
    saved = _summary(
        post(client, result=Result.NON_COMPLIANT, points="4", finding="缺记录").content.decode()
    )
    page = _summary(client.get("/cycles/2023/agencies/004/scoring/").content.decode())
    assert saved == page
    assert "暂评" in saved  # a total of part of the standards says so
    assert "已评 1 / 29 项标准" in saved

    # every other standard scored: the last save completes the audit and gives its grade
    score_everything(chaoyang, auditor, shortfalls={"1-2"})
    Assessment.objects.filter(
        audit=chaoyang, standard__number=2, standard__category__position=1
    ).delete()
    from checklist.services import refresh_audit_scores

    refresh_audit_scores(chaoyang)
    last = _summary(
        post(client, result=Result.NON_COMPLIANT, points="4", finding="缺记录").content.decode()
    )
    assert last == _summary(client.get("/cycles/2023/agencies/004/scoring/").content.decode())
    assert "暂评" not in last and "暂无等级" not in last
