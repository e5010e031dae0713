"""Proof files go through the one evidence pipeline: content checked, stored privately,
duplicates marked, downloaded under the same permission as every evidence file."""

import hashlib

import pytest

from evidence.models import EvidenceFile
from evidence.tests import samples
from evidence.tests.conftest import stored_files

from ..models import ItemEvent, ItemStatus, ProofFile
from .helpers import finalized, item_of


@pytest.fixture
def item(manager):
    return item_of(finalized("004", manager), "1-2")


def url(item, step=""):
    return f"/cycles/2023/agencies/004/rectification/{item.pk}/{step}"


def upload(client, item, *files):
    return client.post(url(item, "files/"), {"files": list(files)}, follow=True)


def test_staff_attach_proof_that_both_sides_can_download(client_for, item, staff004):
    page = upload(client_for("staff004"), item, samples.upload("会议记录.pdf", samples.PDF))
    assert "已上传 1 个文件。" in page.content.decode()
    file = EvidenceFile.objects.get()
    assert (file.audit_id, file.request_id, file.kind) == (item.audit_id, None, "pdf")
    assert file.sha256 == hashlib.sha256(samples.PDF).hexdigest()
    assert ProofFile.objects.get().item == item
    assert (item.events.last().action, item.events.last().comment) == (
        ItemEvent.Action.PROOF_ADDED,
        "会议记录.pdf",
    )
    assert len(stored_files()) == 1
    download = f"/cycles/2023/agencies/004/files/{file.pk}/"
    for persona, status in (("staff004", 200), ("manager", 200), ("staff007", 404)):
        response = client_for(persona).get(download)
        assert response.status_code == status, persona
    assert b"".join(client_for("manager").get(download).streaming_content) == samples.PDF
    office = client_for("manager").get(url(item)).content.decode()
    assert "会议记录.pdf" in office and 'name="files"' not in office


def test_a_file_that_is_not_what_its_name_says_is_refused(client_for, item):
    page = upload(client_for("staff004"), item, samples.upload("照片.pdf", samples.EXE))
    assert "并不是真正的 PDF 文件" in page.content.decode()
    assert not EvidenceFile.objects.exists() and not stored_files()


def test_the_same_content_twice_is_marked_duplicate(client_for, item):
    staff = client_for("staff004")
    upload(staff, item, samples.upload("a.pdf", samples.PDF))
    upload(staff, item, samples.upload("b.pdf", samples.PDF))
    first, second = EvidenceFile.objects.order_by("id")
    assert second.duplicate_of == first


def test_no_proof_is_added_or_removed_once_submitted(client_for, item, staff004):
    from .. import services

    staff = client_for("staff004")
    upload(staff, item, samples.upload("a.pdf", samples.PDF))
    item.refresh_from_db()
    services.answer_item(
        item=item,
        by=staff004,
        answer=services.Answer("措施", "王五", item.created_at.date()),
        expected_version=item.version,
        submit=True,
    )
    page = upload(staff, item, samples.upload("b.docx", samples.DOCX)).content.decode()
    assert "不能再修改" in page
    file = EvidenceFile.objects.get()
    removed = staff.post(url(item, f"files/{file.pk}/remove/"), follow=True).content.decode()
    assert "不能再修改" in removed
    assert EvidenceFile.objects.count() == 1 and len(stored_files()) == 1


def test_staff_remove_a_proof_while_they_can_still_change_the_answer(
    client_for, item, django_capture_on_commit_callbacks
):
    staff = client_for("staff004")
    upload(staff, item, samples.upload("a.pdf", samples.PDF))
    file = EvidenceFile.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        page = staff.post(url(item, f"files/{file.pk}/remove/"), follow=True).content.decode()
    assert "“a.pdf”已删除。" in page
    assert not EvidenceFile.objects.exists() and not ProofFile.objects.exists()
    assert not stored_files()
    assert item.events.last().action == ItemEvent.Action.PROOF_REMOVED
    assert item.status == ItemStatus.PENDING


def test_a_proof_is_not_a_document_file(client_for, item):
    upload(client_for("staff004"), item, samples.upload("a.pdf", samples.PDF))
    file = EvidenceFile.objects.get()
    removed = client_for("manager").post(f"/cycles/2023/agencies/004/files/{file.pk}/remove/")
    assert removed.status_code == 404
    documents = client_for("manager").get("/cycles/2023/agencies/004/documents/").content.decode()
    assert "a.pdf" not in documents


def test_only_the_agencys_own_staff_add_proof_and_are_told_so(item, staff007, manager):
    from .. import services

    for person in (staff007, manager):
        with pytest.raises(services.NotAllowed) as refused:
            services.add_proof(item=item, upload=samples.upload("a.pdf", samples.PDF), by=person)
        assert str(refused.value) == "只有本代办处的工作人员可以填报整改情况。"
    assert not EvidenceFile.objects.exists()
