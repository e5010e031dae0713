from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from agencies.models import AuditEvent, AuditStatus, Grade
from checklist import services
from checklist.models import Assessment, AssessmentChange, Result
from checklist.tests.helpers import audit_of, save, standard


@pytest.fixture
def chaoyang(db, auditor):
    audit = audit_of("004")
    audit.auditors.add(auditor)
    return audit


def test_compliant_awards_the_maximum_whatever_was_typed(chaoyang, auditor):
    saved = save(chaoyang, "1-1", auditor, result=Result.COMPLIANT, points="3")
    assert saved.points == Decimal(10)
    assert saved.version == 1


def test_the_first_save_starts_the_audit_and_is_recorded(chaoyang, auditor):
    save(chaoyang, "1-1", auditor, result=Result.COMPLIANT)
    chaoyang.refresh_from_db()
    assert chaoyang.status == AuditStatus.IN_PROGRESS
    assert AuditEvent.objects.filter(audit=chaoyang, action=AuditEvent.Action.STARTED).count() == 1


def test_scores_on_the_audit_follow_every_save(chaoyang, auditor):
    save(chaoyang, "1-1", auditor, result=Result.COMPLIANT)
    save(chaoyang, "1-2", auditor, result=Result.NON_COMPLIANT, points="5", finding="无会议记录")
    chaoyang.refresh_from_db()
    assert chaoyang.total_score == Decimal("75.0")
    assert chaoyang.grade == Grade.PASS
    assert chaoyang.scored_count == 2
    assert chaoyang.category_scores[0] == {
        "position": 1,
        "name": "组织机构管理",
        "score": "75.0",
        "scored": 2,
        "applicable": 8,
    }


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ("11", "得分必须在 0 到满分 10 分之间。"),
        ("-1", "得分必须在 0 到满分 10 分之间。"),
        ("abc", "得分必须是数字"),
        ("7.25", "最多保留一位小数"),
        ("10", "“不符合”的得分必须低于满分 10 分"),
        ("NaN", "必须是数字"),
        ("1e30", "得分必须在 0 到满分 10 分之间。"),
        ("-1E+999999999", "得分必须在 0 到满分 10 分之间。"),
    ],
)
def test_impossible_points_are_refused_in_chinese_and_nothing_is_stored(
    chaoyang, auditor, points, message
):
    with pytest.raises(services.ScoringError, match=message):
        save(chaoyang, "1-2", auditor, result=Result.NON_COMPLIANT, points=points)
    assert not Assessment.objects.filter(audit=chaoyang).exists()


def test_full_width_comma_decimal_is_understood(chaoyang, auditor):
    assert save(
        chaoyang, "1-2", auditor, result=Result.LARGELY_COMPLIANT, points="7，5"
    ).points == Decimal("7.5")


def test_incomplete_work_is_kept_and_named(chaoyang, auditor):
    saved = save(chaoyang, "1-2", auditor, result=Result.LARGELY_COMPLIANT)
    assert saved.pk and saved.missing() == ["请填写得分。", "请填写问题描述。"]
    saved = save(chaoyang, "1-3", auditor, result=Result.NOT_APPLICABLE)
    assert saved.missing() == ["请填写不适用的理由。"]


def test_not_applicable_has_no_points_and_leaves_the_totals(chaoyang, auditor):
    save(chaoyang, "1-1", auditor, result=Result.LARGELY_COMPLIANT, points="8", finding="x")
    saved = save(
        chaoyang,
        "1-2",
        auditor,
        result=Result.NOT_APPLICABLE,
        points="3",
        not_applicable_reason="无此业务",
    )
    assert saved.points is None
    chaoyang.refresh_from_db()
    assert chaoyang.total_score == Decimal("80.0")


def test_a_stale_version_is_refused_with_the_newer_assessment(chaoyang, auditor):
    first = save(chaoyang, "1-1", auditor, result=Result.COMPLIANT)
    save(
        chaoyang,
        "1-1",
        auditor,
        version=1,
        result=Result.LARGELY_COMPLIANT,
        points="8",
        finding="a",
    )

    with pytest.raises(services.StaleVersion) as stale:
        save(
            chaoyang,
            "1-1",
            auditor,
            version=first.version,
            result=Result.NON_COMPLIANT,
            points="1",
            finding="b",
        )

    assert stale.value.current.version == 2
    assert stale.value.current.finding == "a"
    assert Assessment.objects.get(pk=first.pk).result == Result.LARGELY_COMPLIANT


def test_two_first_saves_of_one_standard_do_not_both_win(chaoyang, auditor):
    save(chaoyang, "1-1", auditor, version=0, result=Result.COMPLIANT)
    with pytest.raises(services.StaleVersion) as stale:
        save(
            chaoyang,
            "1-1",
            auditor,
            version=0,
            result=Result.NOT_APPLICABLE,
            not_applicable_reason="x",
        )
    assert stale.value.current.result == Result.COMPLIANT


def test_every_change_is_recorded_with_old_and_new_values(chaoyang, auditor, manager):
    save(chaoyang, "1-1", auditor, result=Result.COMPLIANT)
    save(chaoyang, "1-1", manager, result=Result.LARGELY_COMPLIANT, points="9", finding="制度不全")
    changes = list(AssessmentChange.objects.filter(assessment__audit=chaoyang).order_by("version"))
    assert [(c.version, c.changed_by) for c in changes] == [(1, auditor), (2, manager)]
    assert changes[0].old == {"result": "", "points": None}
    assert changes[0].new == {"result": "compliant", "points": "10.0"}
    assert changes[1].old == {"result": "compliant", "points": "10.0", "finding": ""}
    assert changes[1].new == {"result": "largely", "points": "9", "finding": "制度不全"}
    assert changes[1].lines()[0] == ("结果", "符合", "基本符合")


def test_saving_the_same_values_again_changes_nothing(chaoyang, auditor):
    save(chaoyang, "1-1", auditor, result=Result.COMPLIANT)
    again = save(chaoyang, "1-1", auditor, result=Result.COMPLIANT)
    assert again.version == 1
    assert AssessmentChange.objects.filter(assessment=again).count() == 1


def test_auditors_not_assigned_cannot_save(chaoyang, db):
    from accounts.models import Role, User

    other = User.objects.create(username="other", role=Role.AUDITOR)
    with pytest.raises(services.ScoringError, match="只有分配到该代办处的稽核员"):
        save(chaoyang, "1-1", other, result=Result.COMPLIANT)


def test_managers_may_save_without_being_assigned(chaoyang, manager):
    assert save(chaoyang, "1-1", manager, result=Result.COMPLIANT).version == 1


@pytest.mark.parametrize("status", [AuditStatus.UNDER_REVIEW, AuditStatus.FINALIZED])
def test_nothing_changes_once_submitted_or_finalized(chaoyang, auditor, status):
    chaoyang.status = status
    chaoyang.save()
    with pytest.raises(services.ScoringError, match="不能再修改"):
        save(chaoyang, "1-1", auditor, result=Result.COMPLIANT)


def test_a_standard_for_other_agencies_is_refused(chaoyang, auditor):
    from agencies.models import FundingMode

    chaoyang.agency.funding_mode = FundingMode.DIRECT
    chaoyang.agency.save()
    with pytest.raises(services.ScoringError, match="不适用于此代办处"):
        save(chaoyang, "3-7", auditor, result=Result.COMPLIANT)


def test_the_database_refuses_points_above_the_maximum(chaoyang, auditor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            audit=chaoyang,
            standard=standard("1-1"),
            result=Result.LARGELY_COMPLIANT,
            points=Decimal(11),
            max_points=Decimal(10),
            updated_by=auditor,
        )


def test_the_database_refuses_two_assessments_of_one_standard(chaoyang, auditor):
    save(chaoyang, "1-1", auditor, result=Result.COMPLIANT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            audit=chaoyang,
            standard=standard("1-1"),
            result="",
            max_points=Decimal(10),
            updated_by=auditor,
        )


def test_the_database_refuses_less_than_maximum_for_compliant(chaoyang, auditor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            audit=chaoyang,
            standard=standard("1-1"),
            result=Result.COMPLIANT,
            points=Decimal(5),
            max_points=Decimal(10),
            updated_by=auditor,
        )


def test_a_finding_typed_before_the_result_is_kept(chaoyang, auditor):
    saved = save(chaoyang, "1-1", auditor, finding="先记下的发现")
    assert (saved.result, saved.finding, saved.version) == ("", "先记下的发现", 1)


@pytest.mark.parametrize(("points", "stored"), [("7,5", "7.5"), ("7，5", "7.5"), (" 6 ", "6")])
def test_points_typed_with_a_comma_are_read_as_decimals(chaoyang, auditor, points, stored):
    assessment = save(chaoyang, "1-1", auditor, result="largely", points=points)
    assert assessment.points == Decimal(stored)


@pytest.mark.parametrize("points", ["abc", "NaN", "Infinity", "12345", "-1", "7.55", "11"])
def test_refused_points_name_the_points_field(chaoyang, auditor, points):
    with pytest.raises(services.ScoringError) as refused:
        save(chaoyang, "1-1", auditor, result="largely", points=points)
    assert refused.value.field == "points"


def test_a_veto_standard_not_met_fails_the_audit_whatever_its_total(chaoyang, auditor):
    from agencies.models import Grade
    from checklist.tests.helpers import score_everything

    target = standard("1-1")
    target.is_veto = True
    target.save()
    score_everything(chaoyang, auditor, shortfalls=("1-1",))
    chaoyang.refresh_from_db()
    assert chaoyang.total_score > 90
    assert chaoyang.grade == Grade.FAIL


def test_an_error_about_the_whole_standard_names_no_field():
    assert services.ScoringError("x").field == ""


def test_score_everything_leaves_what_the_saves_leave(manager):
    """The test helper's one-go scoring (for audits not begun) against the service's saves,
    standard by standard: the same assessments, history, audit row, events and 问题库 rows."""
    from agencies.models import Audit, AuditEvent, AuditStatus
    from checklist.models import AssessmentChange, Problem
    from checklist.tests.helpers import audit_of, save, score_everything

    shortfalls = ("1-2", "3-5")

    def state():
        audit = Audit.objects.get(pk=audit_of("004").pk)
        return (
            list(
                Assessment.objects.filter(audit=audit)
                .order_by("standard_id")
                .values_list(
                    "standard_id",
                    "result",
                    "points",
                    "finding",
                    "rectification",
                    "not_applicable_reason",
                    "problem_type_id",
                    "max_points",
                    "version",
                    "updated_by_id",
                )
            ),
            list(
                AssessmentChange.objects.filter(assessment__audit=audit)
                .order_by("assessment__standard_id")
                .values_list(
                    "assessment__standard_id", "version", "changed_by_id", "old", "new", "source"
                )
            ),
            (
                audit.status,
                audit.scored_count,
                audit.total_score,
                audit.grade,
                audit.category_scores,
            ),
            list(AuditEvent.objects.filter(audit=audit).values_list("action", "actor_id")),
            sorted(Problem.objects.filter(audit=audit).values_list("standard_id", "recurring")),
        )

    score_everything(audit_of("004"), manager, shortfalls=shortfalls)
    at_once = state()
    audit = audit_of("004")
    Assessment.objects.filter(audit=audit).delete()
    AuditEvent.objects.filter(audit=audit).delete()
    Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.NOT_STARTED)
    audit = audit_of("004")
    from checklist import services

    for s in services.applicable_standards(audit):
        if s.code in shortfalls:
            save(
                audit,
                s.code,
                manager,
                result="non_compliant",
                points="4",
                finding=f"{s.code} 的问题",
                rectification="限期整改",
            )
        else:
            save(audit, s.code, manager, result="compliant")
    assert state() == at_once
    assert len(at_once[0]) > 20 and len(at_once[4]) == 2
