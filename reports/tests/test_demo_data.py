import pytest
from django.core.management import CommandError, call_command

from agencies.models import Audit, AuditStatus
from evidence.models import DocumentStatus, EvidenceFile, evidence_storage
from rectification.models import RectificationItem
from reports.models import IssuedReport


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("create_demo_accounts", verbosity=0)
    call_command("create_demo_data", verbosity=0)
    yield
    for file in EvidenceFile.objects.all():
        evidence_storage().delete(file.key)


def test_the_sample_shows_finished_work_at_once(demo):
    chaoyang = Audit.objects.get(agency__code="004")
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

    huairou = Audit.objects.get(agency__code="007")
    assert huairou.status == AuditStatus.IN_PROGRESS
    assert huairou.scored_count == 10
    assert EvidenceFile.objects.filter(request__audit=huairou).count() == 1


def test_running_it_again_changes_nothing(demo, capsys):
    call_command("create_demo_data")
    assert "已存在" in capsys.readouterr().out
    assert IssuedReport.objects.count() == 1


def test_it_refuses_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("create_demo_data")
