"""Who audits whom: recusal (回避) refuses an auditor with the reason; a third cycle running
at the same agency (轮换) asks for a confirmation naming the cycles."""

import pytest

from agencies.models import Audit, Recusal
from checklist.tests.helpers import audit_of
from cycles.tests.helpers import next_cycle


def _assign(client, year, codes, auditor, **extra):
    audits = Audit.objects.filter(cycle__year=year, agency__code__in=codes)
    return client.post(
        f"/cycles/{year}/assign/",
        {"audits": [a.pk for a in audits], "auditors": [auditor.pk], **extra},
    )


def test_a_recused_auditor_is_refused_with_the_reason(client_for, cycle, auditor):
    Recusal.objects.create(
        auditor=auditor, agency=audit_of("004").agency, reason="曾在该代办处任职"
    )
    client = client_for("manager")
    response = _assign(client, 2023, ["004", "007"], auditor)
    page = client.get(response["Location"]).content.decode()
    assert "艾稽核 须回避 朝阳（曾在该代办处任职）。 未作任何分配。" in page
    assert not audit_of("007").auditors.exists()  # all or nothing
    panel = page.split('data-testid="assign-rules"')[1].split("</div>\n  </div>")[0]
    assert "回避：艾稽核 — 朝阳（曾在该代办处任职）" in panel


@pytest.fixture
def two_cycles_running(manager, auditor):
    """艾稽核 audited 004 in 2023 and 2024; 2025 started."""
    audit_of("004").auditors.add(auditor)
    next_cycle(manager)
    audit_of("004", 2024).auditors.add(auditor)
    next_cycle(manager)


def test_a_third_cycle_running_asks_and_names_the_cycles(client_for, two_cycles_running, auditor):
    client = client_for("manager")
    page = client.get("/cycles/2025/").content.decode()
    assert "轮换：艾稽核 已稽核 朝阳（2023、2024）" in page
    response = _assign(client, 2025, ["004"], auditor)
    assert response.status_code == 200
    question = response.content.decode()
    assert "艾稽核 在 2023、2024 年度稽核过 朝阳。" in question
    assert not audit_of("004", 2025).auditors.exists()
    response = _assign(client, 2025, ["004"], auditor, confirmed="1")
    assert response.status_code == 302
    assert list(audit_of("004", 2025).auditors.all()) == [auditor]


def test_one_cycle_off_breaks_the_run(client_for, manager, auditor):
    audit_of("004").auditors.add(auditor)
    next_cycle(manager)
    next_cycle(manager)  # 2024 audited by nobody
    response = _assign(client_for("manager"), 2025, ["004"], auditor)
    assert response.status_code == 302
    assert list(audit_of("004", 2025).auditors.all()) == [auditor]


def test_the_panel_names_the_rules_of_the_agencies_on_the_page(client_for, two_cycles_running):
    """A long roster's panel speaks of the page's agencies: 朝阳 (004, first in the roster)
    on page 1, not on page 2 — its recusal and its rotation alike."""
    from audit_portal.testing import add_to_roster
    from cycles.services import latest_cycle

    Recusal.objects.create(
        auditor=audit_of("004").auditors.get(), agency=audit_of("004").agency, reason="亲属"
    )
    add_to_roster(latest_cycle(), range(600, 700))  # 150: pages of 50
    client = client_for("manager")
    first = client.get("/cycles/2025/").content.decode()
    assert "轮换：艾稽核 已稽核 朝阳（2023、2024）" in first and "回避：艾稽核 — 朝阳" in first
    second = client.get("/cycles/2025/?page=2").content.decode()
    assert "朝阳（2023、2024）" not in second and "回避：艾稽核 — 朝阳" not in second


def test_a_confirmation_never_lets_a_recused_auditor_through(client_for, cycle, auditor, manager):
    """confirmed answers the rotation question only: a recusal stays a refusal."""
    from agencies import services

    Recusal.objects.create(auditor=auditor, agency=audit_of("004").agency, reason="亲属任职")
    client = client_for("manager")
    response = _assign(client, 2023, ["004"], auditor, confirmed="1")
    page = client.get(response["Location"]).content.decode()
    assert "须回避" in page and "未作任何分配" in page
    with pytest.raises(services.AssignmentError) as refused:
        services.assign_auditors(
            audits=[audit_of("004")], auditors=[auditor], by=manager, confirmed=True
        )
    assert not isinstance(refused.value, services.NeedsConfirmation)
    assert not audit_of("004").auditors.exists()


def test_a_recusal_is_refused_also_when_a_rotation_is_confirmed(
    client_for, two_cycles_running, auditor, manager
):
    from accounts.models import User

    other = User.objects.create_user("rec", role="auditor", full_name="荣稽核")
    Recusal.objects.create(auditor=other, agency=audit_of("004").agency, reason="曾在该代办处任职")
    audits = Audit.objects.filter(cycle__year=2025, agency__code="004")
    response = client_for("manager").post(
        "/cycles/2025/assign/",
        {"audits": [a.pk for a in audits], "auditors": [auditor.pk, other.pk], "confirmed": "1"},
    )
    assert response.status_code == 302
    assert not audit_of("004", 2025).auditors.exists()


def test_without_a_confirmation_a_rotation_is_asked_of_the_service_too(
    two_cycles_running, auditor, manager
):
    from agencies import services

    with pytest.raises(services.NeedsConfirmation):
        services.assign_auditors(audits=[audit_of("004", 2025)], auditors=[auditor], by=manager)
    assert not audit_of("004", 2025).auditors.exists()


def test_a_recusal_at_one_agency_leaves_the_auditor_free_elsewhere(client_for, cycle, auditor):
    Recusal.objects.create(auditor=auditor, agency=audit_of("004").agency, reason="亲属任职")
    response = _assign(client_for("manager"), 2023, ["007"], auditor)
    assert response.status_code == 302
    assert list(audit_of("007").auditors.all()) == [auditor]


def test_a_finalized_audit_is_left_out_of_the_rules_as_of_the_assignment(cycle, auditor, manager):
    """Nothing is assigned to a finalized audit (its auditors are the issued report's), so
    a recusal at its agency refuses nothing: the other audits are assigned."""
    from agencies import services
    from agencies.models import AuditStatus

    Recusal.objects.create(auditor=auditor, agency=audit_of("004").agency, reason="亲属任职")
    Audit.objects.filter(pk=audit_of("004").pk).update(status=AuditStatus.FINALIZED)
    changed = services.assign_auditors(
        audits=[audit_of("004"), audit_of("007")], auditors=[auditor], by=manager
    )
    assert changed == 1
    assert list(audit_of("007").auditors.all()) == [auditor]
    assert not audit_of("004").auditors.exists()


def test_replacing_the_auditors_with_nobody_is_refused(cycle, auditor, manager):
    from agencies import services

    audit_of("004").auditors.add(auditor)
    with pytest.raises(services.AssignmentError) as refused:
        services.assign_auditors(audits=[audit_of("004")], auditors=[], by=manager, replace=True)
    assert not isinstance(refused.value, services.NeedsConfirmation)
    assert list(audit_of("004").auditors.all()) == [auditor]


def test_an_audit_whose_auditors_stay_the_same_is_not_counted_nor_recorded(cycle, auditor, manager):
    from agencies import services
    from agencies.models import AuditEvent

    audit_of("004").auditors.add(auditor)
    changed = services.assign_auditors(
        audits=[audit_of("004"), audit_of("007")], auditors=[auditor], by=manager
    )
    assert changed == 1
    recorded = AuditEvent.objects.filter(action=AuditEvent.Action.ASSIGNED)
    assert list(recorded.values_list("audit__agency__code", flat=True)) == ["007"]


def test_a_manager_among_the_auditors_refuses_the_whole_assignment(cycle, auditor, manager):
    from agencies import services

    with pytest.raises(services.AssignmentError):
        services.assign_auditors(audits=[audit_of("004")], auditors=[auditor, manager], by=manager)
    assert not audit_of("004").auditors.exists()


def test_another_auditors_recusal_does_not_refuse_this_one(cycle, auditor, manager):
    from accounts.models import User
    from agencies import services

    other = User.objects.create_user("rec", role="auditor", full_name="荣稽核")
    Recusal.objects.create(auditor=other, agency=audit_of("004").agency, reason="亲属任职")
    assert services.assign_auditors(audits=[audit_of("004")], auditors=[auditor], by=manager) == 1
    assert list(audit_of("004").auditors.all()) == [auditor]


def test_every_refusal_and_every_repeat_is_named_in_one_message(
    two_cycles_running, auditor, manager
):
    """Two recused auditors: both named, then 未作任何分配; two auditors due to rotate:
    both named, then the question."""
    from accounts.models import User
    from agencies import services

    other = User.objects.create_user("rec", role="auditor", full_name="荣稽核")
    audit_of("004", 2023).auditors.add(other)
    audit_of("004", 2024).auditors.add(other)
    with pytest.raises(services.NeedsConfirmation) as asked:
        services.assign_auditors(
            audits=[audit_of("004", 2025)], auditors=[auditor, other], by=manager
        )
    assert str(asked.value) == (
        "艾稽核 在 2023、2024 年度稽核过 朝阳。 荣稽核 在 2023、2024 年度稽核过 朝阳。 "
        "按轮换规定应另派稽核员；仍然分配吗？"
    )
    for person in (auditor, other):
        Recusal.objects.create(auditor=person, agency=audit_of("004").agency, reason="亲属任职")
    with pytest.raises(services.AssignmentError) as refused:
        services.assign_auditors(
            audits=[audit_of("004", 2025)], auditors=[auditor, other], by=manager
        )
    assert str(refused.value) == (
        "艾稽核 须回避 朝阳（亲属任职）。 荣稽核 须回避 朝阳（亲属任职）。 未作任何分配。"
    )
