import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test.utils import override_settings

from agencies.models import Audit, AuditStatus, Cycle
from evidence.models import DocumentStatus, EvidenceFile, evidence_storage
from rectification.models import RectificationItem
from reports.models import IssuedReport
from reports.tests.helpers import pdf_text


@pytest.fixture(scope="module")
def sample(django_db_setup, django_db_blocker):
    """The sample made once for this module's tests (it takes tens of seconds), in a
    transaction rolled back after the last of them; each test runs in a savepoint of its own
    inside it, so what one test changes the next does not see."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(DEBUG=True):  # the demo commands refuse otherwise
            call_command("create_demo_accounts", verbosity=0)
            call_command("create_demo_data", verbosity=0)
        try:
            yield
        finally:
            for file in EvidenceFile.objects.all():
                evidence_storage().delete(file.key)
            transaction.set_rollback(True)


@pytest.fixture
def demo(sample, db, settings):
    settings.DEBUG = True


def test_the_sample_shows_finished_work_at_once(demo):
    chaoyang = Audit.objects.get(cycle__year=2023, agency__code="004")
    assert chaoyang.status == AuditStatus.FINALIZED
    assert chaoyang.assessments.filter(result__in=["largely", "non_compliant"]).count() == 4
    report = IssuedReport.objects.get(audit=chaoyang)
    assert report.number == "稽核〔2023〕004号" and report.is_intact
    statuses = dict(chaoyang.document_requests.values_list("document__number", "status"))
    assert statuses[1] == DocumentStatus.ACCEPTED and statuses[10] == DocumentStatus.RETURNED

    items = {
        item.standard.code: (item.status, item.is_overdue())
        for item in RectificationItem.objects.filter(audit=chaoyang).in_order()
    }
    assert items == {
        "1-2": ("closed", False),
        "2-3": ("submitted", False),
        "2-7": ("pending", True),
        "3-5": ("pending", False),
    }

    huairou = Audit.objects.get(cycle__year=2023, agency__code="007")
    assert huairou.status == AuditStatus.IN_PROGRESS
    assert huairou.scored_count == 10
    assert EvidenceFile.objects.filter(request__audit=huairou).count() == 1

    # 自查自评: 朝阳's submitted before its audit (so its report sets both side by side),
    # 怀柔's begun and not submitted
    assert chaoyang.self_assessment.is_submitted
    assert chaoyang.self_assessment_entries.filter(result="largely").count() == 2
    assert "自查自评与稽核对照" in pdf_text(bytes(report.content))
    assert not huairou.self_assessment.is_submitted
    assert huairou.self_assessment_entries.count() == 6

    # 稽核通知书: 朝阳's signed for by its staff before the audit, 怀柔's waiting for them
    [notice] = chaoyang.notices.all()
    assert notice.number == "京互稽通〔2023〕1号" and notice.is_intact
    assert notice.received_by.username == "agency004"
    assert "2024年3月5日至2024年3月7日" in pdf_text(bytes(notice.content))
    [waiting] = huairou.notices.all()
    assert waiting.number == "京互稽通〔2023〕2号" and waiting.received_at is None

    # 征求意见稿: 朝阳 replied, objecting to 2-3 (adopted in part: its points changed, as
    # 征求意见) and 2-7 (not adopted); its issued report states both
    [draft] = chaoyang.draft_reports.all()
    assert draft.status == "answered" and draft.number == "稽核征〔2023〕004号"
    answers = {
        p.standard.code: (p.opinion, p.decision)
        for p in draft.problems.select_related("standard__category")
    }
    assert answers == {
        "1-2": ("agrees", ""),
        "2-3": ("objects", "partly"),
        "2-7": ("objects", "rejected"),
        "3-5": ("agrees", ""),
    }
    changed = chaoyang.assessments.get(standard__category__position=2, standard__number=3)
    assert changed.points == 8 and changed.changes.filter(source="consultation").exists()
    text = pdf_text(bytes(report.content)).replace("\n", "")
    assert "被稽核单位反馈意见及采纳情况" in text and "部分采纳" in text and "不采纳" in text
    # 东城 (026): under review, its draft waiting for the reply
    dongcheng = Audit.objects.get(cycle__year=2023, agency__code="026")
    assert dongcheng.status == AuditStatus.UNDER_REVIEW
    [waiting_draft] = dongcheng.draft_reports.all()
    assert waiting_draft.status == "waiting"


def test_running_it_again_changes_nothing(demo, capsys):
    call_command("create_demo_data")
    assert "已存在" in capsys.readouterr().out
    assert IssuedReport.objects.count() == 7
    assert Cycle.objects.count() == 2


def test_2022_is_archived_but_for_huairou_whose_rectification_is_open(demo):
    from archives.models import ArchivePackage

    archived = ArchivePackage.objects.filter(audit__cycle__year=2022)
    assert archived.count() == 5
    assert all(a.status == "done" and a.check_passed for a in archived)
    assert not archived.filter(audit__agency__code="007").exists()
    assert Audit.objects.get(cycle__year=2022, agency__code="004").archived_at is not None


def test_2022_shows_the_second_year_at_once(demo, client_for):
    demo_2022 = Cycle.objects.get(year=2022)
    assert "演示数据" in demo_2022.title
    assert Cycle.objects.get(year=2023).previous == demo_2022
    assert demo_2022.audits.filter(status=AuditStatus.FINALIZED).count() == 6
    assert IssuedReport.objects.filter(audit__cycle=demo_2022).count() == 6
    assert demo_2022.required_documents.get(number=3).title.count("2021年度") == 1
    # 2023: last year's report attached, 怀柔's two open problems carried, figures by year
    chaoyang = Audit.objects.get(cycle__year=2023, agency__code="004")
    attached = chaoyang.document_requests.get(document__number=2)
    assert attached.status == DocumentStatus.ACCEPTED
    assert attached.previous_report.report.number == "稽核〔2022〕004号"
    open_2022 = RectificationItem.objects.filter(audit__cycle=demo_2022).exclude(status="closed")
    assert sorted(item.standard.code for item in open_2022) == ["2-5", "3-2"]
    assert open_2022.get(standard__number=2).is_overdue()
    page = client_for("manager").get("/cycles/2023/").content.decode()
    assert "上年总分" in page and 'data-testid="previous-007">' in page


def test_it_refuses_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("create_demo_data")
