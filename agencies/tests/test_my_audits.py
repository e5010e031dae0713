from agencies.models import Audit


def test_an_auditor_sees_their_agencies_with_progress(client_for, auditor):
    Audit.objects.filter(agency__code__in=["004", "008"]).update(scored_count=7)
    for audit in Audit.objects.filter(agency__code__in=["004", "008"]):
        audit.auditors.add(auditor)
    response = client_for("auditor").get("/cycles/2023/mine/")
    assert [a.agency.code for a in response.context["audits"]] == ["004", "008"]
    body = response.content.decode()
    assert "已评 7 / 29 项标准" in body
    assert "/cycles/2023/agencies/004/scoring/" in body


def test_an_auditor_without_agencies_is_told_how_they_get_some(client_for):
    assert (
        "本年度尚未给您分配代办处"
        in client_for("auditor").get("/cycles/2023/mine/").content.decode()
    )
