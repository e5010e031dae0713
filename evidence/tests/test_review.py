from evidence.models import DocumentRequest, DocumentStatus, EvidenceEvent, EvidenceFile
from evidence.tests import samples
from evidence.tests.conftest import stored_files

BASE = "/cycles/2023/agencies/004/documents/"
XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def upload(client, number, name="a.pdf", content=samples.PDF):
    return client.post(f"{BASE}{number}/upload/", {"files": [samples.upload(name, content)]}, **XHR)


def status(number):
    return DocumentRequest.objects.get(document__number=number).status


def test_an_auditor_accepts_several_documents_at_once(client_for, chaoyang):
    staff = client_for("staff004")
    for number in (1, 2, 3):
        upload(staff, number)
    response = client_for("auditor").post(
        BASE + "review/", {"action": "accept", "documents": ["1", "2"]}, follow=True
    )
    assert "已接收 2 项资料。" in response.content.decode()
    assert (status(1), status(2), status(3)) == (
        DocumentStatus.ACCEPTED,
        DocumentStatus.ACCEPTED,
        DocumentStatus.SUBMITTED,
    )


def test_returning_needs_a_reason_and_the_agency_sees_it(client_for, chaoyang):
    staff = client_for("staff004")
    upload(staff, 4)
    auditor = client_for("auditor")
    response = auditor.post(
        BASE + "review/", {"action": "return", "document": "4", "reason": ""}, follow=True
    )
    assert "请说明缺少或有误的内容" in response.content.decode()
    assert status(4) == DocumentStatus.SUBMITTED

    auditor.post(
        BASE + "review/", {"action": "return", "document": "4", "reason": "缺少2022年12月的凭证"}
    )
    assert status(4) == DocumentStatus.RETURNED
    page = staff.get(BASE).content.decode()
    assert "缺少2022年12月的凭证" in page and "退回补充" in page

    upload(staff, 4, "补充凭证.pdf", samples.PDF + b"more")
    assert status(4) == DocumentStatus.SUBMITTED
    assert (
        EvidenceEvent.objects.filter(action=EvidenceEvent.Action.RETURNED).get().detail
        == "缺少2022年12月的凭证"
    )


def test_agency_staff_cannot_review(client_for, chaoyang):
    upload(client_for("staff004"), 1)
    response = client_for("staff004").post(
        BASE + "review/", {"action": "accept", "documents": ["1"]}
    )
    assert response.status_code == 403
    assert status(1) == DocumentStatus.SUBMITTED


def test_uploaders_remove_their_own_files_until_accepted(
    client_for, chaoyang, django_capture_on_commit_callbacks
):
    staff = client_for("staff004")
    upload(staff, 1)
    file = EvidenceFile.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/cycles/2023/agencies/004/files/{file.pk}/remove/", follow=True)
    assert "已删除" in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert status(1) == DocumentStatus.MISSING
    assert stored_files() == []
    assert EvidenceEvent.objects.filter(action=EvidenceEvent.Action.REMOVED).count() == 1

    upload(staff, 1)
    client_for("auditor").post(BASE + "review/", {"action": "accept", "documents": ["1"]})
    file = EvidenceFile.objects.get()
    response = staff.post(f"/cycles/2023/agencies/004/files/{file.pk}/remove/", follow=True)
    assert "已接收" in response.content.decode()
    assert EvidenceFile.objects.filter(pk=file.pk).exists()


def test_accepted_documents_take_no_more_uploads(client_for, chaoyang):
    staff = client_for("staff004")
    upload(staff, 1)
    client_for("auditor").post(BASE + "review/", {"action": "accept", "documents": ["1"]})
    response = upload(staff, 1, "more.pdf", samples.PDF + b"x")
    assert response.status_code == 422
    assert "已接收" in response.json()["error"]
    assert EvidenceFile.objects.count() == 1
    assert len(stored_files()) == 1


def test_another_agencys_staff_cannot_see_or_remove_anything(client_for, chaoyang):
    upload(client_for("staff004"), 1)
    file = EvidenceFile.objects.get()
    other = client_for("staff007")
    assert other.get(BASE).status_code == 404
    assert other.get(f"{BASE}1/").status_code == 404
    assert other.get(f"/cycles/2023/agencies/004/files/{file.pk}/").status_code == 404
    assert other.post(f"/cycles/2023/agencies/004/files/{file.pk}/remove/").status_code == 404
    assert other.get(f"/cycles/2023/agencies/007/files/{file.pk}/").status_code == 404
    assert EvidenceFile.objects.exists()


def test_a_finalized_audits_documents_can_be_neither_accepted_nor_returned(client_for, chaoyang):
    from agencies.models import Audit, AuditStatus

    staff = client_for("staff004")
    for number in (1, 2):
        upload(staff, number, content=samples.PDF + bytes([number]))
    Audit.objects.filter(pk=chaoyang.pk).update(status=AuditStatus.FINALIZED)
    for persona in ("auditor", "manager"):
        reviewer = client_for(persona)
        accept = reviewer.post(BASE + "review/", {"action": "accept", "documents": ["1"]})
        give_back = reviewer.post(
            BASE + "review/", {"action": "return", "document": "2", "reason": "缺少签字页"}
        )
        assert (accept.status_code, give_back.status_code) == (403, 403)
    assert (status(1), status(2)) == (DocumentStatus.SUBMITTED, DocumentStatus.SUBMITTED)
    assert not EvidenceEvent.objects.filter(action__in=["accepted", "returned"]).exists()
