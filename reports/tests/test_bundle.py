import hashlib
import io
import os
import stat
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from reports.models import IssuedReport, ReportBundle
from reports.tests.helpers import scored_and_submitted


def test_a_manager_gets_every_report_of_the_cycle_as_one_zip(client_for, auditor):
    from agencies.models import Audit

    Audit.objects.filter(serial__gt=5).delete()  # five drafts render as well as fifty, faster
    scored_and_submitted("004", auditor)
    manager = client_for("manager")
    manager.post("/cycles/2023/agencies/004/finalize/")

    response = manager.post("/cycles/2023/reports/bundle/")
    bundle = ReportBundle.objects.get()
    assert response["Location"] == f"/cycles/2023/reports/bundle/{bundle.pk}/"
    page = manager.get(response["Location"]).content.decode()
    assert "已生成 5 / 5 份报告" in page and "下载 ZIP" in page
    assert ReportBundle.objects.get().status == ReportBundle.Status.DONE

    download = manager.get(f"/cycles/2023/reports/bundle/{bundle.pk}/download/")
    content = b"".join(download.streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    assert len(names) == 5
    assert names[0] == "01-004-朝阳-稽核〔2023〕004号.pdf"
    assert names[1] == "02-007-怀柔-草稿.pdf"
    assert archive.read(names[0]) == bytes(IssuedReport.objects.get().content)


def test_the_progress_fragment_polls_until_done(client_for, manager):
    from agencies.models import Cycle

    bundle = ReportBundle.objects.create(
        cycle=Cycle.objects.get(year=2023),
        requested_by=manager,
        total=50,
        done=20,
        status="running",
    )
    fragment = client_for("manager").get(
        f"/cycles/2023/reports/bundle/{bundle.pk}/", HTTP_HX_REQUEST="true"
    )
    body = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in body and 'value="20"' in body
    assert (
        client_for("manager").get(f"/cycles/2023/reports/bundle/{bundle.pk}/download/").status_code
        == 404
    )


def test_only_managers_bundle(client_for):
    assert client_for("auditor").post("/cycles/2023/reports/bundle/").status_code == 403
    assert client_for("staff004").post("/cycles/2023/reports/bundle/").status_code == 403
    assert not ReportBundle.objects.exists()


def test_reports_render_on_several_cores_in_order(db):
    from agencies.models import Audit
    from reports.tasks import _rendered

    audits = list(Audit.objects.order_by("serial")[:3])
    jobs = [
        (audits[0], "草稿", "<p lang='zh-CN'>第一份</p>"),
        (audits[1], "稽核〔2023〕007号", b"%PDF-issued"),
        (audits[2], "草稿", "<p lang='zh-CN'>第三份</p>"),
    ]
    results = list(_rendered(jobs, processes=2))
    assert [r[0] for r in results] == audits
    assert results[1][2] == b"%PDF-issued"
    assert results[0][2].startswith(b"%PDF-") and results[2][2].startswith(b"%PDF-")


def test_the_zip_is_a_private_file_not_a_database_row_and_is_deleted_in_time(
    client_for, settings, tmp_path
):
    from agencies.models import Audit

    settings.REPORT_BUNDLE_ROOT = tmp_path / "bundles"
    Audit.objects.filter(serial__gt=2).delete()
    manager = client_for("manager")
    manager.post("/cycles/2023/reports/bundle/")
    bundle = ReportBundle.objects.get()
    assert bundle.status == "done" and bundle.size > 0 and len(bundle.sha256) == 64
    assert bundle.path.parent == Path(settings.REPORT_BUNDLE_ROOT)
    assert stat.S_IMODE(bundle.path.stat().st_mode) == 0o600
    assert hashlib.sha256(bundle.path.read_bytes()).hexdigest() == bundle.sha256
    assert not any(f.get_internal_type() == "BinaryField" for f in ReportBundle._meta.fields)
    page = manager.get(f"/cycles/2023/reports/bundle/{bundle.pk}/").content.decode()
    assert "之后自动删除" in page

    out = io.StringIO()
    call_command("cleanup_report_bundles", stdout=out)
    assert "已删除 0 个" in out.getvalue() and bundle.path.exists()  # kept within the period

    # a day later the daily clean-up (and any new build) deletes it
    ReportBundle.objects.filter(pk=bundle.pk).update(
        finished_at=timezone.now()
        - timedelta(hours=settings.REPORT_BUNDLE_RETENTION_HOURS, minutes=1)
    )
    out = io.StringIO()
    call_command("cleanup_report_bundles", stdout=out)
    assert "已删除 1 个" in out.getvalue()
    bundle.refresh_from_db()
    assert bundle.status == "expired" and not bundle.path
    assert list(Path(settings.REPORT_BUNDLE_ROOT).iterdir()) == []
    answer = manager.get(f"/cycles/2023/reports/bundle/{bundle.pk}/download/", follow=True)
    page = answer.content.decode()
    assert answer.redirect_chain and "已超过保留期限" in page and "重新生成" in page


def test_a_zip_missing_on_disk_is_told_not_a_500(client_for, settings):
    from agencies.models import Audit

    Audit.objects.filter(serial__gt=1).delete()
    manager = client_for("manager")
    manager.post("/cycles/2023/reports/bundle/")
    bundle = ReportBundle.objects.get()
    bundle.path.unlink()  # a database restored without the bundles folder
    answer = manager.get(f"/cycles/2023/reports/bundle/{bundle.pk}/download/", follow=True)
    assert answer.status_code == 200 and "已超过保留期限" in answer.content.decode()
    assert ReportBundle.objects.get().status == "expired"


def test_leftovers_of_a_build_that_died_are_removed(db, settings, tmp_path):
    from reports import bundles

    settings.REPORT_BUNDLE_ROOT = tmp_path / "bundles"
    folder = bundles.root()
    old_partial = folder / "dead.zip.partial"
    old_partial.write_bytes(b"half")
    fresh_partial = folder / "building.zip.partial"
    fresh_partial.write_bytes(b"half")
    orphan = folder / "orphan.zip"
    orphan.write_bytes(b"PK")
    long_ago = time.time() - 7 * 3600
    os.utime(old_partial, (long_ago, long_ago))
    assert bundles.expire() == (0, 2)
    assert [p.name for p in folder.iterdir()] == ["building.zip.partial"]


def test_a_bundle_that_fails_is_marked_failed_and_the_manager_is_told(
    client_for, settings, tmp_path, monkeypatch
):
    from agencies.models import Audit
    from reports import pdf

    settings.REPORT_BUNDLE_ROOT = tmp_path / "bundles"
    Audit.objects.filter(serial__gt=1).delete()

    def broken(html):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    manager = client_for("manager")
    manager.post("/cycles/2023/reports/bundle/")
    bundle = ReportBundle.objects.get()
    assert bundle.status == ReportBundle.Status.FAILED and "renderer crashed" in bundle.error
    assert bundle.file_name == "" and list((tmp_path / "bundles").iterdir()) == []
    page = manager.get(f"/cycles/2023/reports/bundle/{bundle.pk}/").content.decode()
    assert "生成 ZIP 失败" in page
    assert manager.get(f"/cycles/2023/reports/bundle/{bundle.pk}/download/").status_code == 404


def test_a_cycle_wide_pdf_is_rendered_in_a_process_of_its_own(settings, monkeypatch):
    """The worker's path: WeasyPrint runs in a child that ends with the render, so its
    memory does not stay in the worker. Rendering in this process is made to fail: the PDF
    still comes, from the child."""
    from common import pdf as rendering
    from reports import pdf

    settings.REPORT_RENDER_PROCESSES = None

    def not_here(html):
        raise AssertionError("rendered in the worker's own process")

    monkeypatch.setattr(rendering, "render", not_here)
    content = pdf.html_to_pdf_apart("<p lang='zh-CN'>通报</p>")
    assert content.startswith(b"%PDF-")
    settings.REPORT_RENDER_PROCESSES = 1
    with pytest.raises(AssertionError, match="worker's own process"):
        pdf.html_to_pdf_apart("<p>here</p>")
