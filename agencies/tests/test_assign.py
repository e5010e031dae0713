from accounts.models import Role, User
from agencies.models import Audit, AuditEvent, AuditStatus


def _audits(*codes):
    return list(Audit.objects.filter(agency__code__in=codes).order_by("serial"))


def test_a_manager_assigns_auditors_to_several_agencies_at_once(client_for, auditor):
    second = User.objects.create(username="bob", role=Role.AUDITOR, full_name="鲍稽核")
    audits = _audits("004", "007", "008")
    response = client_for("manager").post(
        "/cycles/2023/assign/",
        {"audits": [a.pk for a in audits], "auditors": [auditor.pk, second.pk]},
        follow=True,
    )
    assert "已为 3 个代办处分配稽核员。" in response.content.decode()
    for audit in audits:
        assert set(audit.auditors.all()) == {auditor, second}
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ASSIGNED).count() == 3


def test_replace_makes_them_the_only_auditors(client_for, auditor):
    other = User.objects.create(username="carol", role=Role.AUDITOR)
    audit = _audits("004")[0]
    audit.auditors.add(other)
    client_for("manager").post(
        "/cycles/2023/assign/", {"audits": [audit.pk], "auditors": [auditor.pk], "replace": "1"}
    )
    assert list(audit.auditors.all()) == [auditor]


def test_missing_choices_are_explained(client_for, auditor):
    response = client_for("manager").post(
        "/cycles/2023/assign/", {"auditors": [auditor.pk]}, follow=True
    )
    assert "请至少勾选一个代办处。" in response.content.decode()
    response = client_for("manager").post(
        "/cycles/2023/assign/", {"audits": [_audits("004")[0].pk]}, follow=True
    )
    assert "请至少选择一名稽核员。" in response.content.decode()


def test_managers_cannot_be_assigned_as_auditors(client_for, manager):
    audit = _audits("004")[0]
    client_for("manager").post(
        "/cycles/2023/assign/", {"audits": [audit.pk], "auditors": [manager.pk]}
    )
    assert not audit.auditors.exists()


def test_finalized_audits_keep_their_auditors(client_for, auditor):
    audit = _audits("004")[0]
    Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.FINALIZED)
    client_for("manager").post(
        "/cycles/2023/assign/", {"audits": [audit.pk], "auditors": [auditor.pk]}
    )
    assert not audit.auditors.exists()


def test_audits_of_another_cycle_are_not_accepted(client_for, auditor):
    from agencies.models import Cycle

    other_cycle = Cycle.objects.create(year=2024, title="2024年度稽核")
    foreign = Audit.objects.create(cycle=other_cycle, agency=_audits("004")[0].agency, serial=1)
    client_for("manager").post(
        "/cycles/2023/assign/", {"audits": [foreign.pk], "auditors": [auditor.pk]}
    )
    assert not foreign.auditors.exists()


def test_only_managers_assign(client_for, auditor):
    audit = _audits("004")[0]
    data = {"audits": [audit.pk], "auditors": [auditor.pk]}
    assert client_for("auditor").post("/cycles/2023/assign/", data).status_code == 403
    assert client_for("administrator").post("/cycles/2023/assign/", data).status_code == 403
    assert client_for("staff004").post("/cycles/2023/assign/", data).status_code == 403
    assert not audit.auditors.exists()


def test_it_returns_to_the_filtered_overview(client_for, auditor):
    audit = _audits("004")[0]
    response = client_for("manager").post(
        "/cycles/2023/assign/",
        {
            "audits": [audit.pk],
            "auditors": [auditor.pk],
            "next": "/cycles/2023/?status=not_started",
        },
    )
    assert response["Location"] == "/cycles/2023/?status=not_started"
    response = client_for("manager").post(
        "/cycles/2023/assign/",
        {"audits": [audit.pk], "auditors": [auditor.pk], "next": "https://evil.example/"},
    )
    assert response["Location"] == "/cycles/2023/"
