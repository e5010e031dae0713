import io
import zipfile

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

    archive = zipfile.ZipFile(
        io.BytesIO(manager.get(f"/cycles/2023/reports/bundle/{bundle.pk}/download/").content)
    )
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
