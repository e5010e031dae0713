from evidence.models import EvidenceFile, StandardEvidence
from evidence.tests import samples

URL = "/cycles/2023/agencies/004/scoring/1-2/evidence/"


def _upload(client, number, name, content):
    client.post(
        f"/cycles/2023/agencies/004/documents/{number}/upload/",
        {"files": [samples.upload(name, content)]},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    return EvidenceFile.objects.get(original_name=name)


def test_an_auditor_cites_files_for_a_standard_and_sees_them_while_scoring(client_for, chaoyang):
    staff = client_for("staff004")
    minutes = _upload(staff, 1, "会议记录.pdf", samples.PDF)
    rules = _upload(staff, 5, "管理办法.docx", samples.DOCX)
    auditor = client_for("auditor")

    editor = auditor.get(URL)
    assert editor.status_code == 200
    assert "会议记录.pdf" in editor.content.decode() and "管理办法.docx" in editor.content.decode()

    response = auditor.post(URL, {"files": [minutes.pk, rules.pk]})
    assert response.status_code == 200
    assert set(StandardEvidence.objects.values_list("file_id", flat=True)) == {minutes.pk, rules.pk}

    auditor.post(URL, {"files": [rules.pk]})
    assert list(StandardEvidence.objects.values_list("file_id", flat=True)) == [rules.pk]

    page = auditor.get("/cycles/2023/agencies/004/scoring/").content.decode()
    assert "证据文件（1 个）" in page
    assert f"/cycles/2023/agencies/004/files/{rules.pk}/" in page


def test_only_the_agencys_files_can_be_cited(client_for, chaoyang, auditor):
    from checklist.tests.helpers import audit_of

    audit_of("007").auditors.add(auditor)
    foreign = client_for("staff007").post(
        "/cycles/2023/agencies/007/documents/1/upload/",
        {"files": [samples.upload("x.pdf", samples.PDF)]},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert foreign.status_code == 201
    response = client_for("auditor").post(URL, {"files": [EvidenceFile.objects.get().pk]})
    assert response.status_code == 422
    assert not StandardEvidence.objects.exists()


def test_readers_see_the_list_but_cannot_change_it(client_for, chaoyang):
    _upload(client_for("staff004"), 1, "a.pdf", samples.PDF)
    assert client_for("manager").get(URL).status_code == 200
    client_for("auditor").logout()
    from accounts.models import Role, User

    other = User.objects.create(username="reader", role=Role.AUDITOR)
    client = client_for("anonymous")
    client.force_login(other)
    assert "disabled" in client.get(URL).content.decode()
    assert client.post(URL, {"files": [EvidenceFile.objects.get().pk]}).status_code == 403
    assert client_for("staff004").get(URL).status_code == 403
