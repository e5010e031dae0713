"""Every refusal of the evidence services: a clear reason, and nothing changed."""

import pytest

from accounts.models import Role, User
from checklist.tests.helpers import standard
from evidence import services
from evidence.models import DocumentRequest, DocumentStatus, EvidenceEvent, EvidenceFile
from evidence.tests import samples

BASE = "/cycles/2023/agencies/004/documents/"
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


@pytest.fixture
def stranger(db):
    """An auditor of the office, not assigned to 朝阳."""
    return User.objects.create(username="stranger", role=Role.AUDITOR, full_name="外人")


@pytest.fixture
def uploaded(client_for, chaoyang):
    response = client_for("staff004").post(
        f"{BASE}1/upload/", {"files": [samples.upload("制度.pdf", samples.PDF)]}, **XHR
    )
    assert response.status_code == 201
    return EvidenceFile.objects.get()


def test_only_the_uploader_or_a_reviewer_removes_a_file(uploaded, chaoyang, stranger):
    with pytest.raises(services.NotAllowed, match="只有文件的上传人或稽核员可以删除该文件"):
        services.remove_file(file=uploaded, by=stranger)
    assert EvidenceFile.objects.filter(pk=uploaded.pk).exists()


def test_removing_someone_elses_file_through_the_page_is_403(client_for, uploaded, stranger):
    from django.test import Client

    client = Client()
    client.force_login(stranger)
    # the stranger is office staff, so the audit is visible to them; the file is not theirs
    response = client.post(f"/cycles/2023/agencies/004/files/{uploaded.pk}/remove/")
    assert response.status_code == 403
    assert EvidenceFile.objects.filter(pk=uploaded.pk).exists()


def test_an_auditor_not_assigned_reviews_nothing(uploaded, chaoyang, stranger):
    document = uploaded.request.document
    with pytest.raises(services.NotAllowed):
        services.accept_documents(audit=chaoyang, documents=[document], by=stranger)
    with pytest.raises(services.NotAllowed):
        services.return_document(audit=chaoyang, document=document, by=stranger, reason="缺页")
    assert DocumentRequest.objects.get(pk=uploaded.request_id).status == DocumentStatus.SUBMITTED


def test_a_document_never_submitted_cannot_be_returned(chaoyang, auditor):
    from evidence.models import RequiredDocument

    document = RequiredDocument.objects.get(cycle=chaoyang.cycle, number=5)
    with pytest.raises(services.DocumentError, match="只有已提交或已接收的资料可以退回"):
        services.return_document(audit=chaoyang, document=document, by=auditor, reason="缺页")
    assert not EvidenceEvent.objects.filter(action="returned").exists()


def test_returning_a_never_submitted_document_through_the_page_says_why(client_for, chaoyang):
    response = client_for("auditor").post(
        BASE + "review/", {"action": "return", "document": "5", "reason": "缺页"}, follow=True
    )
    assert "只有已提交或已接收的资料可以退回" in response.content.decode()


def test_an_auditor_not_assigned_cites_no_files(uploaded, chaoyang, stranger):
    with pytest.raises(services.NotAllowed):
        services.link_files(audit=chaoyang, standard=standard("1-1"), files=[uploaded], by=stranger)


def test_staff_of_another_agency_upload_nothing_here(client_for, chaoyang):
    response = client_for("staff007").post(
        f"{BASE}1/upload/", {"files": [samples.upload("a.pdf", samples.PDF)]}, **XHR
    )
    assert response.status_code == 404
    assert not EvidenceFile.objects.exists()


def test_staff_of_another_agency_are_refused_by_the_service_too(chaoyang, staff007):
    from evidence.models import RequiredDocument

    document = RequiredDocument.objects.get(cycle=chaoyang.cycle, number=1)
    with pytest.raises(services.NotAllowed, match="您不能为该代办处上传文件"):
        services.store_bytes(
            audit=chaoyang, document=document, name="a.pdf", content=samples.PDF, by=staff007
        )
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize("name", [".pdf", ".hidden.pdf"])
def test_a_file_without_a_usable_name_is_refused(client_for, chaoyang, name):
    response = client_for("staff004").post(
        f"{BASE}1/upload/", {"files": [samples.upload(name, samples.PDF)]}, **XHR
    )
    assert response.status_code == 422
    assert "文件名无效，请重命名后再上传" in response.json()["error"]
    assert not EvidenceFile.objects.exists()


def test_accepting_a_document_never_submitted_accepts_nothing(chaoyang, auditor):
    from evidence.models import RequiredDocument

    document = RequiredDocument.objects.get(cycle=chaoyang.cycle, number=6)
    assert services.accept_documents(audit=chaoyang, documents=[document], by=auditor) == 0
    assert not DocumentRequest.objects.filter(status=DocumentStatus.ACCEPTED).exists()
