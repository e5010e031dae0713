import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from agencies.models import AuditEvent
from checklist.models import Result
from checklist.tests.helpers import audit_of, save, score_everything
from evidence.models import EvidenceFile
from evidence.tests import samples
from selfassessment import services
from selfassessment.models import SelfAssessment, SelfAssessmentEntry

from .helpers import fill, fill_everything

PAGE = "/cycles/2023/agencies/004/self-assessment/"
ITEM = PAGE + "2-3/"


@pytest.fixture
def chaoyang(db, assigned):
    audit = audit_of("004")
    audit.auditors.add(assigned)
    return audit


def _upload(client, number, name, content=samples.PDF, code="004"):
    client.post(
        f"/cycles/2023/agencies/{code}/documents/{number}/upload/",
        {"files": [samples.upload(name, content)]},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    return EvidenceFile.objects.get(original_name=name)


def test_the_agency_fills_in_a_standard_with_a_cited_file_and_it_autosaves(client_for, chaoyang):
    staff = client_for("staff004")
    minutes = _upload(staff, 1, "自查会议记录.pdf")
    page = staff.get(PAGE)
    assert page.status_code == 200
    assert "自查自评" in page.content.decode() and "自查会议记录.pdf" in page.content.decode()

    response = staff.post(
        ITEM,
        {
            "version": 0,
            "result": Result.LARGELY_COMPLIANT,
            "points": "7",
            "explanation": "制度已建立，\n部分记录缺签字",
            "files": [minutes.pk],
        },
    )
    assert response.status_code == 200
    assert 'data-state="saved"' in response.content.decode()
    entry = SelfAssessmentEntry.objects.get(audit=chaoyang)
    assert (entry.result, entry.points, entry.version) == ("largely", Decimal("7"), 1)
    assert entry.explanation == "制度已建立，\n部分记录缺签字"
    assert list(entry.files.all()) == [minutes]
    assert SelfAssessment.objects.get(audit=chaoyang).status == "draft"

    # the same standard from an older page: a conflict, nothing overwritten
    stale = staff.post(ITEM, {"version": 0, "result": Result.COMPLIANT, "explanation": ""})
    assert stale.status_code == 409
    assert "没有覆盖" in stale.content.decode() or "覆盖" in stale.content.decode()
    entry.refresh_from_db()
    assert entry.result == "largely" and entry.version == 1


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("12", "0 到满分 10 之间"),
        ("7.25", "最多一位小数"),
        ("十", "必须是数字"),
        ("10", "选择“符合”"),
    ],
)
def test_points_follow_the_scoring_rules_and_a_refusal_is_said_in_chinese(
    client_for, chaoyang, points, message
):
    staff = client_for("staff004")
    response = staff.post(
        ITEM, {"version": 0, "result": Result.NON_COMPLIANT, "points": points, "explanation": "x"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "未保存" in body and 'data-field="points"' in body
    assert not SelfAssessmentEntry.objects.exists()


def test_only_the_agencys_own_files_can_be_cited(client_for, chaoyang):
    other = _upload(client_for("staff007"), 1, "怀柔的文件.pdf", code="007")
    response = client_for("staff004").post(
        ITEM, {"version": 0, "result": Result.COMPLIANT, "files": [other.pk]}
    )
    assert response.status_code == 422
    assert "重新加载" in response.content.decode()
    assert not SelfAssessmentEntry.objects.exists()


def test_who_may_see_and_fill_in_a_self_assessment(client_for, chaoyang):
    assert client_for("staff007").get(PAGE).status_code == 404
    assert client_for("staff007").post(ITEM, {"version": 0}).status_code == 404
    for persona in ("auditor", "assigned", "manager", "administrator"):
        assert client_for(persona).get(PAGE).status_code == 200
        response = client_for(persona).post(ITEM, {"version": 0, "result": Result.COMPLIANT})
        assert response.status_code == 403, persona
    assert client_for("anonymous").get(PAGE).status_code == 302
    assert not SelfAssessmentEntry.objects.exists()


def test_the_agency_never_sees_the_auditors_scores_on_its_page(client_for, chaoyang, assigned):
    save(
        chaoyang,
        "2-3",
        assigned,
        result=Result.NON_COMPLIANT,
        points="3",
        finding="稽核员的秘密问题",
    )
    page = client_for("staff004").get(PAGE).content.decode()
    assert "稽核员的秘密问题" not in page
    assert "自评" in page


def test_submission_needs_every_standard_and_then_the_page_is_read_only(
    client_for, chaoyang, staff004
):
    staff = client_for("staff004")
    fill(chaoyang, "1-1", staff004, result=Result.COMPLIANT)
    refused = staff.post(PAGE + "submit/", follow=True).content.decode()
    assert "尚未填写完整" in refused and "1-2：请选择结果" in refused
    assert SelfAssessment.objects.get(audit=chaoyang).status == "draft"

    fill_everything(chaoyang, staff004, shortfalls={"2-3": "6"})
    page = staff.post(PAGE + "submit/", follow=True).content.decode()
    assert "自评已提交" in page
    state = SelfAssessment.objects.get(audit=chaoyang)
    assert state.status == "submitted" and state.submitted_by == staff004
    assert state.total_score is not None and state.total_score < 100
    assert AuditEvent.objects.filter(audit=chaoyang, action="self_submitted").count() == 1

    refused = staff.post(ITEM, {"version": 1, "result": Result.COMPLIANT})
    assert refused.status_code == 422
    assert "只读" in refused.content.decode()
    assert (
        SelfAssessmentEntry.objects.get(
            audit=chaoyang, standard__number=3, standard__category__position=2
        ).result
        == "largely"
    )
    assert "disabled" in staff.get(PAGE).content.decode()


def test_the_deadline_closes_the_self_assessment_unless_an_auditor_returned_it(
    client_for, chaoyang, staff004
):
    cycle = chaoyang.cycle
    cycle.self_assessment_deadline = timezone.localdate() - datetime.timedelta(days=1)
    cycle.save()
    staff = client_for("staff004")
    late = staff.post(ITEM, {"version": 0, "result": Result.COMPLIANT})
    assert late.status_code == 422 and "截止日期" in late.content.decode()
    assert "data-field" not in late.content.decode()  # no field is at fault: none is marked

    cycle.self_assessment_deadline = timezone.localdate()  # the whole last day counts
    cycle.save()
    fill_everything(chaoyang, staff004)
    assert staff.post(PAGE + "submit/").status_code == 302
    cycle.self_assessment_deadline = timezone.localdate() - datetime.timedelta(days=1)
    cycle.save()

    assigned = client_for("assigned")
    empty = assigned.post(PAGE + "return/", {"comment": "  "}, follow=True).content.decode()
    assert "说明" in empty
    assert SelfAssessment.objects.get(audit=chaoyang).is_submitted
    assert client_for("auditor").post(PAGE + "return/", {"comment": "x"}).status_code == 403
    assigned.post(PAGE + "return/", {"comment": "2-3 的自评分偏高，请核实"})
    state = SelfAssessment.objects.get(audit=chaoyang)
    assert state.status == "draft" and state.return_comment == "2-3 的自评分偏高，请核实"
    assert AuditEvent.objects.filter(audit=chaoyang, action="self_returned").count() == 1

    page = staff.get(PAGE).content.decode()
    assert "2-3 的自评分偏高，请核实" in page
    again = staff.post(
        ITEM,
        {"version": 1, "result": Result.LARGELY_COMPLIANT, "points": "8", "explanation": "已核实"},
    )
    assert again.status_code == 200
    assert staff.post(PAGE + "submit/").status_code == 302
    assert SelfAssessment.objects.get(audit=chaoyang).is_submitted


def test_a_self_assessment_cannot_change_once_the_audit_is_submitted(
    client_for, chaoyang, assigned, staff004
):
    from checklist import services as scoring

    score_everything(chaoyang, assigned)
    scoring.submit_audit(audit=chaoyang, by=assigned)
    with pytest.raises(services.SelfAssessmentError, match="复核"):
        fill(chaoyang, "1-1", staff004, result=Result.COMPLIANT)
    with pytest.raises(services.NotAllowed):
        services.send_back(audit=chaoyang, by=assigned, comment="x")


def test_returning_a_self_assessment_never_submitted_is_refused(chaoyang, assigned):
    with pytest.raises(services.SelfAssessmentError, match="尚未提交"):
        services.send_back(audit=chaoyang, by=assigned, comment="请修改")


def test_the_scoring_page_shows_the_submitted_self_assessment_with_the_difference(
    client_for, chaoyang, assigned, staff004
):
    save(chaoyang, "2-3", assigned, result=Result.LARGELY_COMPLIANT, points="5", finding="记录缺失")
    fill_everything(chaoyang, staff004, shortfalls={"2-3": "8"})
    scoring_page = "/cycles/2023/agencies/004/scoring/"
    before = client_for("assigned").get(scoring_page).content.decode()
    assert 'data-testid="self-box-2-3"' not in before  # a draft is the agency's own business

    services.submit(audit=chaoyang, by=staff004)
    page = client_for("assigned").get(scoring_page).content.decode()
    assert 'data-testid="self-box-2-3"' in page
    assert "2-3 自查发现记录不全" in page
    assert "自评高 3 分" in page

    # the auditor changes the points: the answer updates the difference in place
    response = client_for("assigned").post(
        "/cycles/2023/agencies/004/scoring/2-3/",
        {"version": 1, "result": Result.LARGELY_COMPLIANT, "points": "9", "finding": "记录缺失"},
    )
    assert response.status_code == 200
    assert "自评低 1 分" in response.content.decode()
