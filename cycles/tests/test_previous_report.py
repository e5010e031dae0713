"""前次稽核报告: last cycle's issued report satisfies the new cycle's document by itself."""

from checklist.services import reopen_audit, submit_audit
from checklist.tests.helpers import audit_of
from evidence.models import DocumentRequest
from evidence.tests.conftest import empty_store  # noqa: F401 (the store ends empty)
from evidence.tests.samples import PDF, upload
from rectification.tests.helpers import finalized
from reports.models import IssuedReport
from reports.services import finalize_and_issue

from .helpers import next_cycle

DOCUMENTS = "/cycles/2024/agencies/{code}/documents/"


def _request(code):
    return DocumentRequest.objects.filter(audit=audit_of(code, 2024), document__number=2).first()


def test_last_years_report_is_attached_and_downloadable(client_for, manager):
    finalized("004", manager)
    next_cycle(manager)
    report = IssuedReport.objects.get(audit=audit_of("004"))
    assert _request("004").status == "accepted"
    page = client_for("staff004").get(DOCUMENTS.format(code="004")).content.decode()
    attached = page.split('data-testid="previous-report-2"')[1].split("</p>")[0]
    assert "系统自动附上" in attached and "稽核〔2023〕004号" in attached
    assert report.sha256 in attached
    assert 'data-testid="status-2">已接收<' in page
    link = attached.split('href="')[1].split('"')[0]
    assert link == "/cycles/2023/agencies/004/report.pdf"
    for persona in ("staff004", "auditor", "manager"):
        response = client_for(persona).get(link)
        assert response.status_code == 200
        assert b"".join(
            response.streaming_content if response.streaming else [response.content]
        ) == bytes(report.content)


def test_an_agency_without_a_report_last_cycle_uploads_as_usual(client_for, manager):
    next_cycle(manager)
    assert _request("007") is None
    page = client_for("staff007").get(DOCUMENTS.format(code="007")).content.decode()
    assert 'data-testid="previous-report-2"' not in page
    assert 'data-testid="status-2">未提交<' in page


def test_a_report_issued_after_the_new_cycle_began_is_attached_then(manager):
    next_cycle(manager)
    assert _request("004") is None
    finalized("004", manager)
    assert _request("004").previous_report.report.number == "稽核〔2023〕004号"


def test_a_reissued_report_replaces_the_attached_one(manager):
    finalized("004", manager)
    next_cycle(manager)
    reopen_audit(audit=audit_of("004"), by=manager, reason="补充问题描述")
    submit_audit(audit=audit_of("004"), by=manager)
    finalize_and_issue(audit=audit_of("004"), by=manager)
    attached = _request("004").previous_report.report
    assert attached.version == 2 and attached.number == "稽核〔2023〕004号（第2版）"


def test_a_copy_the_agency_uploaded_itself_is_left_as_it_is(client_for, manager):
    next_cycle(manager)
    response = client_for("staff004").post(
        "/cycles/2024/agencies/004/documents/2/upload/",
        {"files": upload("前次报告扫描件.pdf", PDF)},
    )
    assert response.status_code == 302
    finalized("004", manager)
    request = _request("004")
    assert request.status == "submitted" and not hasattr(request, "previous_report")
