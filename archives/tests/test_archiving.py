"""Archiving from the portal: a manager archives the audits whose reports are issued (and,
by the cycle's setting, whose rectification is closed); each package is built in the
background, checked and stored, and its audit locked until a recorded 撤销归档."""

import zipfile
from urllib.parse import unquote

import pytest
from django.utils import timezone

from agencies.models import AuditEvent
from archives import services, tasks
from archives.models import ArchivePackage
from archives.storage import archive_storage, workspace
from checklist.services import ScoringError, reopen_audit
from checklist.tests.helpers import audit_of
from evidence.tests.conftest import empty_store  # noqa: F401 (each test ends with an empty store)
from rectification import services as rectification
from rectification.models import RectificationItem
from rectification.tests.helpers import finalized
from reports.services import RectificationReportRefused, issue_rectification_report
from security.models import Kind, SecurityEvent


@pytest.fixture(autouse=True)
def empty_archive_store():
    yield
    storage = archive_storage()
    for folder in storage.listdir("")[0] if storage.exists("") else []:
        for name in storage.listdir(folder)[1]:
            storage.delete(f"{folder}/{name}")


def _close_every_item(audit):
    RectificationItem.objects.filter(audit=audit).update(status="closed", closed_at=timezone.now())


@pytest.fixture
def ready(manager):
    """朝阳 (004) finalized, its rectification closed; 怀柔 (007) finalized with items open."""
    chaoyang = finalized("004", manager)
    _close_every_item(chaoyang)
    finalized("007", manager)
    return chaoyang


def test_a_manager_archives_what_may_be_archived(client_for, ready):
    manager = client_for("manager")
    page = manager.get("/cycles/2023/archive/").content.decode()
    assert "还有 1 家可以归档" in page
    response = manager.post("/cycles/2023/archive/", follow=True)
    assert "1 个档案包正在生成" in response.content.decode()
    archive = ArchivePackage.objects.get()
    assert archive.audit == audit_of("004") and archive.number == "京互稽档-2023-004"
    assert archive.status == ArchivePackage.Status.DONE and archive.check_passed
    assert archive.files >= 7 and archive.size > 0 and archive.longest_retention == "永久"
    assert "结论：通过" in archive.check_report
    assert audit_of("004").archived_at is not None
    assert audit_of("007").archived_at is None  # its rectification is open
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ARCHIVED).count() == 1
    with archive_storage().open(archive.file_name, "rb") as stream:
        assert "京互稽档-2023-004/manifest.json" in zipfile.ZipFile(stream).namelist()
    # nothing left in the folder it was built in
    from archives.storage import workspace

    assert list(workspace().iterdir()) == []


def test_with_the_setting_off_open_rectification_does_not_hold_it_back(ready, cycle, manager):
    cycle.archive_after_rectification = False
    cycle.save()
    assert services.eligible(cycle).count() == 2


def test_one_agency_by_its_code_and_why_another_cannot(client_for, ready):
    manager = client_for("manager")
    response = manager.post("/cycles/2023/archive/", {"code": "007"}, follow=True)
    assert "怀柔不能归档：尚有整改项未销号" in response.content.decode()
    response = manager.post("/cycles/2023/archive/", {"code": "026"}, follow=True)
    assert "东城不能归档：报告尚未出具" in response.content.decode()
    response = manager.post("/cycles/2023/archive/", {"code": "999"}, follow=True)
    assert "本年度没有编码为 999 的代办处" in response.content.decode()
    manager.post("/cycles/2023/archive/", {"code": "004"})
    response = manager.post("/cycles/2023/archive/", {"code": "004"}, follow=True)
    assert "已经归档或正在归档" in response.content.decode()
    assert ArchivePackage.objects.count() == 1


@pytest.mark.parametrize("persona", ["auditor", "administrator"])
def test_only_a_manager_archives(client_for, ready, persona):
    assert client_for(persona).post("/cycles/2023/archive/").status_code == 403
    assert not ArchivePackage.objects.exists()


def test_an_archived_audit_is_locked_until_a_recorded_revocation(client_for, ready, manager):
    client_for("manager").post("/cycles/2023/archive/")
    archive = ArchivePackage.objects.get()
    audit = audit_of("004")
    with pytest.raises(ScoringError, match="撤销归档"):
        reopen_audit(audit=audit, by=manager, reason="复查")
    item = RectificationItem.objects.filter(audit=audit).first()
    with pytest.raises(rectification.RectificationError, match="已归档"):
        rectification.reopen_item(
            item=item, by=manager, reason="再查", expected_version=item.version
        )
    with pytest.raises(RectificationReportRefused, match="已归档"):
        issue_rectification_report(audit=audit, by=manager)
    # a revocation needs its reason
    response = client_for("manager").post(
        f"/cycles/2023/archive/{archive.pk}/revoke/", {"reason": " "}, follow=True
    )
    assert "请填写撤销的理由" in response.content.decode()
    assert audit_of("004").archived_at is not None
    client_for("manager").post(f"/cycles/2023/archive/{archive.pk}/revoke/", {"reason": "补充材料"})
    archive.refresh_from_db()
    assert archive.status == ArchivePackage.Status.REVOKED and archive.revoke_reason == "补充材料"
    assert archive.revoked_by == manager
    event = AuditEvent.objects.get(action=AuditEvent.Action.ARCHIVE_REVOKED)
    assert event.comment == "京互稽档-2023-004：补充材料"
    reopen_audit(audit=audit_of("004"), by=manager, reason="复查")  # no longer locked


def test_after_a_revocation_a_new_package_is_built(client_for, ready, manager):
    manager_client = client_for("manager")
    manager_client.post("/cycles/2023/archive/")
    services.revoke(archive=ArchivePackage.objects.get(), by=manager, reason="更正")
    manager_client.post("/cycles/2023/archive/", {"code": "004"})
    assert list(ArchivePackage.objects.order_by("pk").values_list("status", flat=True)) == [
        "revoked",
        "done",
    ]


def test_the_package_downloads_for_the_office_only_and_is_logged(client_for, ready):
    client_for("manager").post("/cycles/2023/archive/")
    archive = ArchivePackage.objects.get()
    response = client_for("auditor").get("/cycles/2023/agencies/004/archive.zip")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    with archive_storage().open(archive.file_name, "rb") as stream:
        assert body == stream.read()
    assert response["X-Archive-SHA256"] == archive.sha256
    assert "京互稽档-2023-004.zip" in unquote(response["Content-Disposition"])
    assert SecurityEvent.objects.filter(
        kind=Kind.DOWNLOAD, path="/cycles/2023/agencies/004/archive.zip"
    ).exists()
    assert client_for("staff004").get("/cycles/2023/agencies/004/archive.zip").status_code == 403
    assert client_for("staff007").get("/cycles/2023/agencies/004/archive.zip").status_code == 404
    assert client_for("auditor").get("/cycles/2023/agencies/007/archive.zip").status_code == 404


def test_the_check_button_finds_a_package_changed_in_the_store(client_for, ready):
    client_for("manager").post("/cycles/2023/archive/")
    archive = ArchivePackage.objects.get()
    path = archive_storage().path(archive.file_name)
    with zipfile.ZipFile(path, "a") as package_file:
        package_file.writestr("京互稽档-2023-004/证明类/后补.pdf", b"%PDF-1.4")
    checked_before = archive.checked_at
    response = client_for("auditor").post(f"/cycles/2023/archive/{archive.pk}/check/", follow=True)
    assert "未通过四性检测" in response.content.decode()
    archive.refresh_from_db()
    assert archive.check_passed is False and archive.checked_at > checked_before
    # the report as the command prints it, a line each, naming the package by its 档号
    lines = archive.check_report.split("\n")
    assert lines[0] == "四性检测：京互稽档-2023-004"
    assert "  - 证明类/后补.pdf：档案包中有，清单中未列" in lines
    assert lines[-1] == "结论：未通过，请核查上列文件"


def test_a_failed_build_says_why_leaves_nothing_and_locks_nothing(client_for, ready, monkeypatch):
    from archives import package

    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(package, "build", broken)
    client_for("manager").post("/cycles/2023/archive/")
    archive = ArchivePackage.objects.get()
    assert archive.status == ArchivePackage.Status.FAILED and "磁盘已满" in archive.error
    assert audit_of("004").archived_at is None
    page = client_for("manager").get("/cycles/2023/archive/").content.decode()
    assert "磁盘已满" in page
    # a failed package does not block a new one
    monkeypatch.undo()
    client_for("manager").post("/cycles/2023/archive/", {"code": "004"})
    assert ArchivePackage.objects.filter(status="done").count() == 1


def test_the_page_reads_the_same_queries_for_many_packages(client_for, manager, big_roster, cycle):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("manager")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/cycles/2023/archive/?per_page=200").status_code == 200
        return len(captured)

    audits = list(cycle.audits.select_related("agency").order_by("serial")[:40])
    ArchivePackage.objects.create(audit=audits[0], number="x0", requested_by=manager)
    one = queries()
    for audit in audits[1:]:
        ArchivePackage.objects.create(audit=audit, number=f"x{audit.pk}", requested_by=manager)
    assert queries() == one


def test_kept_until_follows_the_longest_retention(client_for, ready, cycle):
    cycle.retention_conclusion = cycle.retention_initiation = cycle.retention_proof = "10年"
    cycle.save()
    client_for("manager").post("/cycles/2023/archive/")
    archive = ArchivePackage.objects.get()
    assert archive.longest_retention == "10年"
    archived_on = timezone.localtime(archive.finished_at).date()
    assert archive.kept_until == archived_on.replace(year=archived_on.year + 10)


def test_the_worker_renders_the_documents_in_a_process_of_their_own(
    ready, manager, settings, monkeypatch
):
    """The background worker's path (archives.tasks): every PDF of the package is rendered
    in a rendering process, so WeasyPrint's memory leaves with it and the worker stays
    flat (make bench measures it). Rendering in the worker itself is made to fail: the
    package is still built whole, and passes its check."""
    from common import pdf as rendering

    def not_here(html):
        raise AssertionError("rendered in the worker's own process")

    settings.REPORT_RENDER_PROCESSES = None
    monkeypatch.setattr(rendering, "render", not_here)
    queued, _refused = services.request(audits=[ready], by=manager)
    assert tasks.build_packages.call([queued[0].pk]) == 1
    archive = ArchivePackage.objects.get(pk=queued[0].pk)
    assert archive.status == ArchivePackage.Status.DONE, archive.error
    assert archive.check_passed
    settings.REPORT_RENDER_PROCESSES = 1  # the tests' path renders here: the same build fails
    revoked = services.revoke(archive=archive, by=manager, reason="重建")
    assert revoked.status == ArchivePackage.Status.REVOKED
    queued, _refused = services.request(audits=[ready], by=manager)
    assert tasks.build_packages.call([queued[0].pk]) == 0
    failed = ArchivePackage.objects.get(pk=queued[0].pk)
    assert failed.status == ArchivePackage.Status.FAILED
    assert "worker's own process" in failed.error


def test_a_reopened_audit_is_not_archived_while_its_report_is_withdrawn(ready, manager):
    """The issued report is on record, but the audit was reopened: it is archived only when
    it is finalized (and its report issued) again."""
    reopen_audit(audit=ready, by=manager, reason="复核发现评分有误")
    ready.refresh_from_db()
    assert ready.issued_reports.exists()
    assert services.why_not(ready) == "报告尚未出具"
    _queued, refused = services.request(audits=[ready], by=manager)
    assert [audit.pk for audit, _why in refused] == [ready.pk]


def test_a_package_lost_from_the_store_fails_its_check_and_says_so(client_for, ready):
    client_for("manager").post("/cycles/2023/archive/")
    archive = ArchivePackage.objects.get()
    archive_storage().delete(archive.file_name)
    response = client_for("manager").post(f"/cycles/2023/archive/{archive.pk}/check/", follow=True)
    assert response.status_code == 200 and "未通过四性检测" in response.content.decode()
    archive.refresh_from_db()
    assert archive.check_passed is False
    assert f"  - 档案包文件在存储中找不到（{archive.file_name}）" in archive.check_report
    assert list(workspace().iterdir()) == []  # nothing left behind


@pytest.mark.parametrize("persona", ["auditor", "staff004", "secadmin"])
def test_the_services_refuse_anyone_but_a_manager_and_say_why(ready, manager, persona):
    """The rules stand in the services, whatever page or command calls them."""
    from audit_portal.testing import persona_user

    someone = persona_user(persona)
    with pytest.raises(services.ArchiveRefused, match=r"^只有主任可以归档。$"):
        services.request(audits=[ready], by=someone)
    with pytest.raises(services.ArchiveRefused, match=r"^只有主任可以归档。$"):
        services.request_cycle(cycle=ready.cycle, by=someone)
    queued, _refused = services.request(audits=[ready], by=manager)
    tasks.build_packages.call([queued[0].pk])
    archive = ArchivePackage.objects.get(pk=queued[0].pk)
    with pytest.raises(services.ArchiveRefused, match=r"^只有主任可以撤销归档。$"):
        services.revoke(archive=archive, by=someone, reason="重建")
    with pytest.raises(services.ArchiveRefused, match=r"^请填写撤销的理由，理由将记入稽核记录。$"):
        services.revoke(archive=archive, by=manager, reason="  ")
    services.revoke(archive=archive, by=manager, reason="重建")
    with pytest.raises(services.ArchiveRefused, match=r"^只能撤销已归档的档案包。$"):
        services.revoke(archive=archive, by=manager, reason="再次")
