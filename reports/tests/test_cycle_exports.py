"""A large cycle's exports come from the task worker (issue 16): past
EXPORT_INLINE_MAX_AGENCIES the circular and the score matrix are files built in the
background, followed on the progress page and served from the private folder; a cycle of
the office's size still gets them in the request."""

import io
import os
import stat
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone
from openpyxl import load_workbook

from agencies.models import Agency, Audit, Cycle
from reports import exports, tasks
from reports.models import ReportBundle
from reports.tests.helpers import scored_and_submitted

URLS = {
    "circular_pdf": "/cycles/2023/circular.pdf",
    "circular_xlsx": "/cycles/2023/circular.xlsx",
    "scores_xlsx": "/cycles/2023/scores.xlsx",
}


@pytest.fixture
def large(settings):
    """The seed's 50 agencies count as a large cycle."""
    settings.EXPORT_INLINE_MAX_AGENCIES = 49


def test_a_cycle_of_the_offices_size_gets_its_exports_at_once(client_for):
    manager = client_for("manager")
    for kind, url in URLS.items():
        response = manager.get(url)
        assert response.status_code == 200, kind
        assert exports.EXPORTS[kind].content_type in response["Content-Type"]
    assert not ReportBundle.objects.exists()


@pytest.mark.parametrize("kind", list(URLS))
def test_a_large_cycles_export_is_built_in_the_background_and_served_from_a_file(
    client_for, large, kind
):
    auditor = client_for("auditor")  # every office member, as the downloads themselves
    response = auditor.get(URLS[kind])
    bundle = ReportBundle.objects.get()
    assert (bundle.kind, bundle.status) == (kind, ReportBundle.Status.DONE)
    assert response["Location"] == f"/cycles/2023/reports/bundle/{bundle.pk}/"
    page = auditor.get(response["Location"]).content.decode()
    assert "本年度代办处较多，文件在后台生成" in page
    assert f"下载：{bundle.get_kind_display()}" in page
    # a private file beside the ZIPs, never a database field
    assert stat.S_IMODE(os.stat(bundle.path).st_mode) == 0o600
    assert bundle.path.suffix == "." + kind.rsplit("_", 1)[1]
    download = auditor.get(f"/cycles/2023/reports/bundle/{bundle.pk}/download/")
    content = b"".join(download.streaming_content)
    assert download["Content-Type"] == exports.EXPORTS[kind].content_type
    disposition = download["Content-Disposition"]
    assert disposition.startswith("inline" if kind == "circular_pdf" else "attachment")
    assert "2023" in disposition
    assert len(content) == bundle.size
    if kind == "circular_pdf":
        assert content.startswith(b"%PDF")
    else:
        workbook = load_workbook(io.BytesIO(content))
        assert workbook.sheetnames[0] == ("得分矩阵" if kind == "scores_xlsx" else "排名")


def test_the_circular_is_rendered_again_only_when_its_content_changed(
    client_for, large, auditor, monkeypatch
):
    from common import pdf as rendering

    rendered = []
    real = rendering.render
    monkeypatch.setattr(rendering, "render", lambda html: rendered.append(1) or real(html))
    manager = client_for("manager")
    manager.get(URLS["circular_pdf"])
    # a change the circular does not show: built again, but the same HTML is not rendered
    Agency.objects.filter(code="042").update(name=F("name"))
    manager.get(URLS["circular_pdf"])
    first, second = ReportBundle.objects.order_by("pk")
    assert len(rendered) == 1  # the second build found the same HTML
    assert first.fingerprint == second.fingerprint != ""
    assert first.path.read_bytes() == second.path.read_bytes()  # a copy, under its own name
    assert first.path != second.path and (first.sha256, first.size) == (second.sha256, second.size)

    scored_and_submitted("004", auditor)
    manager.post("/cycles/2023/agencies/004/finalize/")  # 朝阳 now ranks in the circular
    rendered.clear()  # finalizing rendered 朝阳's report
    manager.get(URLS["circular_pdf"])
    third = ReportBundle.objects.order_by("pk").last()
    assert len(rendered) == 1
    assert third.fingerprint != second.fingerprint
    assert third.path.read_bytes() != second.path.read_bytes()


def test_a_request_while_one_is_being_built_joins_it(client_for, large, manager):
    cycle = Cycle.objects.get(year=2023)
    waiting = ReportBundle.objects.create(
        cycle=cycle, kind="scores_xlsx", requested_by=manager, total=1
    )
    response = client_for("auditor").get(URLS["scores_xlsx"])
    assert response["Location"] == f"/cycles/2023/reports/bundle/{waiting.pk}/"
    assert ReportBundle.objects.count() == 1
    # one queued long ago belongs to a worker that died: a new build starts
    ReportBundle.objects.filter(pk=waiting.pk).update(
        requested_at=timezone.now() - timedelta(hours=1)
    )
    response = client_for("auditor").get(URLS["scores_xlsx"])
    assert ReportBundle.objects.count() == 2
    assert response["Location"] != f"/cycles/2023/reports/bundle/{waiting.pk}/"


def test_who_may_follow_which_export(client_for, large, manager):
    cycle = Cycle.objects.get(year=2023)
    circular = ReportBundle.objects.create(cycle=cycle, kind="circular_pdf", requested_by=manager)
    everything = ReportBundle.objects.create(cycle=cycle, kind="reports_zip", requested_by=manager)
    assert (
        client_for("auditor").get(f"/cycles/2023/reports/bundle/{circular.pk}/").status_code == 200
    )
    assert (
        client_for("auditor").get(f"/cycles/2023/reports/bundle/{everything.pk}/").status_code
        == 403
    )
    assert (
        client_for("staff004").get(f"/cycles/2023/reports/bundle/{circular.pk}/").status_code == 403
    )


def test_an_expired_export_offers_to_build_it_again(client_for, large, manager):
    cycle = Cycle.objects.get(year=2023)
    bundle = ReportBundle.objects.create(
        cycle=cycle, kind="circular_xlsx", requested_by=manager, status="expired"
    )
    page = client_for("manager").get(f"/cycles/2023/reports/bundle/{bundle.pk}/").content.decode()
    assert "这个文件已超过保留期限，已被删除。" in page
    assert 'href="/cycles/2023/circular.xlsx"' in page
    response = client_for("manager").get(f"/cycles/2023/reports/bundle/{bundle.pk}/download/")
    assert response.status_code == 302


def test_a_failed_build_says_so_and_leaves_no_file(client_for, large, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "build", broken)
    client_for("manager").get(URLS["scores_xlsx"])  # the worker logs the error
    bundle = ReportBundle.objects.get()
    assert (bundle.status, bundle.file_name, bundle.error) == ("failed", "", "disk full")
    page = client_for("manager").get(f"/cycles/2023/reports/bundle/{bundle.pk}/").content.decode()
    assert "生成文件失败。请重试" in page
    from reports import bundles

    assert not list(bundles.root().glob("*.partial"))


def test_the_zip_renders_only_a_few_reports_ahead_of_what_it_writes():
    """5,000 reports held at once are over a gigabyte: the jobs are made as they are
    written, at most three per process ahead."""
    made = []

    def jobs():
        for n in range(100):
            made.append(n)
            yield n, "稽核", b"%PDF-1.4 " + bytes([n])

    results = tasks._rendered(jobs(), 2)
    first = next(results)
    assert first[0] == 0
    assert len(made) <= 2 * 3 + 1
    assert [n for n, _suffix, _content in results] == list(range(1, 100))


def test_many_agencies_do_not_change_what_the_office_sees(client_for, settings):
    """At the default threshold a roster of 300 is still built in the request; 301 is not."""
    cycle = Cycle.objects.get(year=2023)
    agencies = Agency.objects.bulk_create(
        Agency(code=f"{n}", name=f"测试{n}") for n in range(600, 850)
    )
    Audit.objects.bulk_create(
        Audit(cycle=cycle, agency=agency, serial=51 + i) for i, agency in enumerate(agencies)
    )
    assert settings.EXPORT_INLINE_MAX_AGENCIES == 300
    assert client_for("manager").get(URLS["circular_xlsx"]).status_code == 200
    Audit.objects.create(
        cycle=cycle, agency=Agency.objects.create(code="900", name="多一个"), serial=301
    )
    assert client_for("manager").get(URLS["circular_xlsx"]).status_code == 302


def test_a_long_ranking_is_set_as_aligned_lines_of_text(monkeypatch, auditor, client_for):
    from reports import data

    for code in ("004", "007", "008"):
        scored_and_submitted(code, auditor)
        client_for("manager").post(f"/cycles/2023/agencies/{code}/finalize/")
    Agency.objects.filter(code="008").update(name="密云区代办处")  # a longer name
    cycle = Cycle.objects.get(year=2023)
    assert '<pre class="ranking">' not in exports._circular_html(cycle)  # 3 rows: a table

    monkeypatch.setattr(data, "CIRCULAR_COMPACT_FROM", 2)
    html = exports._circular_html(cycle)
    assert '<pre class="ranking">' in html and "共 3 个代办处" in html
    lines = data.circular(cycle)["ranking_lines"]
    header = ["名次", "编码", "代办处（经办机构）", "总分", "等级", "组织机构管理", "业务管理"]
    assert lines[0].split() == [*header, "财务管理"]
    assert [line.split()[:2] for line in lines[1:]] == [["1", "004"], ["2", "007"], ["3", "008"]]
    # the columns after the name start at the same place whatever the name's length,
    # counting a Chinese character as two columns
    starts = {data._width(line[: line.index(line.split()[3])]) for line in lines[1:]}
    assert len(starts) == 1
    assert data._width("密云区") == 6 and data._width("a1") == 2


def test_exports_go_through_the_storage_api_only(client_for, large, settings, monkeypatch):
    """With another storage (here Django's in-memory one, as an object store would be)
    the exports are built, served and expired without a path on this machine's disk."""
    settings.STORAGES = {
        **settings.STORAGES,
        "bundles": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    from reports import bundles
    from reports.storage import bundle_storage

    manager = client_for("manager")
    response = manager.get(URLS["circular_xlsx"])
    bundle = ReportBundle.objects.get()
    assert bundle.status == "done"
    assert bundle_storage().exists(bundle.file_name)
    download = manager.get(f"/cycles/2023/reports/bundle/{bundle.pk}/download/")
    assert b"".join(download.streaming_content).startswith(b"PK")
    Agency.objects.filter(code="042").update(name="改名")
    manager.get(URLS["circular_xlsx"])  # built again after a change
    assert ReportBundle.objects.count() == 2
    assert response.status_code == 302
    assert not list(bundles.root().glob("*.partial"))  # built here, kept there
    ReportBundle.objects.update(finished_at=timezone.now() - timedelta(days=2))
    assert bundles.expire() == (2, 0)
    assert bundle_storage().listdir("")[1] == []


def test_an_unchanged_cycles_export_is_served_again_at_once(client_for, large):
    manager = client_for("manager")
    first = manager.get(URLS["scores_xlsx"])
    again = manager.get(URLS["scores_xlsx"])
    bundle = ReportBundle.objects.get()  # built once
    assert first["Location"] == again["Location"] == f"/cycles/2023/reports/bundle/{bundle.pk}/"
    assert bundle.status == "done" and bundle.data_version


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE agencies_agency SET name = name || '（改）' WHERE code = '042'",
        "UPDATE checklist_standard SET text = text || '。' WHERE number = 1",
        "UPDATE evidence_requireddocument SET title = title || '。' WHERE number = 1",
        "UPDATE agencies_cycle SET title = title",
    ],
)
def test_any_change_to_what_an_export_shows_builds_it_again(client_for, large, change):
    """However the data changes (here raw SQL, as a repair by hand would), the database's
    own triggers note it and the next request builds the export again."""
    manager = client_for("manager")
    manager.get(URLS["circular_xlsx"])
    with connection.cursor() as cursor:
        cursor.execute(change)
    manager.get(URLS["circular_xlsx"])
    first, second = ReportBundle.objects.order_by("pk")
    assert first.data_version != second.data_version


def test_the_circular_pdf_is_built_again_the_next_day(client_for, large, monkeypatch):
    """It prints the day it was made."""
    manager = client_for("manager")
    manager.get(URLS["circular_pdf"])
    manager.get(URLS["circular_pdf"])
    assert ReportBundle.objects.count() == 1
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(exports.timezone, "localdate", lambda: tomorrow)
    manager.get(URLS["circular_pdf"])
    assert ReportBundle.objects.count() == 2


def test_every_watched_table_has_its_triggers(db):
    """Each table an export is made from has the triggers that note its changes (on
    SQLite one per kind of change, on PostgreSQL one for all)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("reports.migrations.0006_data_changes_noted_by_triggers")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {name for (name,) in cursor.fetchall()}
    for app, model in migration.WATCHED:
        table = apps.get_model(app, model)._meta.db_table
        if connection.vendor == "postgresql":
            assert f"reports_note_{table}" in triggers
        else:
            assert {f"reports_note_{table}_{e}" for e in ("insert", "update", "delete")} <= triggers
