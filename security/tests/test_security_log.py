"""The security event log: what is recorded, that it cannot be rewritten, who reads it."""

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from audit_portal.testing import PERSONA_PASSWORD
from checklist.tests.helpers import audit_of
from reports.tests.helpers import scored_and_submitted
from security.models import AppendOnlyError, Kind, SecurityEvent


def events(kind):
    return list(SecurityEvent.objects.filter(kind=kind).order_by("id"))


def test_sign_in_and_out_are_recorded_with_user_and_address(db, auditor):
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": auditor.username, "password": PERSONA_PASSWORD},
        REMOTE_ADDR="10.20.30.40",
    )
    assert response.status_code == 302
    client.post("/accounts/logout/", REMOTE_ADDR="10.20.30.40")
    (sign_in,) = events(Kind.SIGN_IN)
    assert (sign_in.user, sign_in.username, sign_in.address) == (auditor, "alice", "10.20.30.40")
    assert sign_in.at.tzinfo is not None and sign_in.at.utcoffset().total_seconds() == 0
    assert sign_in.request_id  # the request's id ties the event to the server's log line
    assert events(Kind.SIGN_OUT)[0].user == auditor


def test_failures_and_the_lockout_are_recorded_with_what_was_typed(db, auditor):
    client = Client()
    for _ in range(5):
        client.post(
            "/accounts/login/", {"username": "alice", "password": "x"}, REMOTE_ADDR="10.0.0.9"
        )
    client.post("/accounts/login/", {"username": "nobody", "password": "x"}, REMOTE_ADDR="10.0.0.9")
    failed = events(Kind.SIGN_IN_FAILED)
    assert [e.username for e in failed] == ["alice"] * 5 + ["nobody"]
    assert all(e.user is None and e.address == "10.0.0.9" for e in failed)
    (locked,) = events(Kind.LOCKED_OUT)
    assert (locked.username, locked.address) == ("alice", "10.0.0.9")


def test_another_agencys_objects_are_recorded_as_refused(client_for, staff004):
    client = client_for("staff004")
    assert client.get("/cycles/2023/agencies/007/").status_code == 404
    assert client.get("/cycles/2023/agencies/004/scoring/").status_code == 403
    refused = events(Kind.DENIED)
    assert [(e.status, e.path, e.user) for e in refused] == [
        (404, "/cycles/2023/agencies/007/", staff004),
        (403, "/cycles/2023/agencies/004/scoring/", staff004),
    ]


def test_pages_that_answer_are_not_recorded(client_for):
    client = client_for("staff004")
    before = SecurityEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert client.get("/cycles/2023/agencies/004/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert not SecurityEvent.objects.filter(id__gt=before).exclude(kind=Kind.SIGN_IN).exists()


def test_file_and_report_downloads_are_recorded(client_for, staff004, manager, settings):
    from evidence import services
    from evidence.models import RequiredDocument, evidence_storage

    audit = audit_of("004")
    document = RequiredDocument.objects.get(cycle=audit.cycle, number=1)
    stored = services.store_bytes(
        audit=audit, document=document, name="制度.pdf", content=b"%PDF-1.4 x", by=staff004
    )
    try:
        client = client_for("staff004")
        assert client.get(f"/cycles/2023/agencies/004/files/{stored.pk}/").status_code == 200
        office = client_for("manager")
        assert office.get("/cycles/2023/scores.xlsx").status_code == 200
    finally:
        evidence_storage().delete(stored.key)
    downloads = events(Kind.DOWNLOAD)
    assert [(e.user, e.target) for e in downloads] == [
        (staff004, "制度.pdf"),
        (manager, "2023年度稽核得分.xlsx"),
    ]
    assert downloads[0].path == f"/cycles/2023/agencies/004/files/{stored.pk}/"


def test_finalize_and_reopen_are_recorded(client_for, auditor, manager):
    scored_and_submitted("004", auditor)
    client = client_for("manager")
    assert client.post("/cycles/2023/agencies/004/finalize/").status_code == 302
    assert client.post("/cycles/2023/agencies/004/reopen/", {"reason": "更正"}).status_code == 302
    (finalized,) = events(Kind.FINALIZE)
    (reopened,) = events(Kind.REOPEN)
    assert finalized.user == reopened.user == manager
    assert finalized.target.startswith("2023 · 004 ")
    assert finalized.target.endswith(" · 稽核〔2023〕004号")
    assert reopened.target.startswith("2023 · 004 ")


def test_a_refused_finalization_is_not_recorded_as_one(client_for):
    # 朝阳 is not under review: the step is refused with a message, nothing is finalized.
    assert client_for("manager").post("/cycles/2023/agencies/004/finalize/").status_code == 302
    assert not events(Kind.FINALIZE)


def test_the_address_comes_from_the_proxy_only_when_one_is_configured(db, auditor, settings):
    def sign_in():
        Client().post(
            "/accounts/login/",
            {"username": "alice", "password": PERSONA_PASSWORD},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.1.1",
        )
        return SecurityEvent.objects.filter(kind=Kind.SIGN_IN).first().address

    settings.PROXY_COUNT = 0
    assert sign_in() == "127.0.0.1"  # a client cannot choose its address
    settings.PROXY_COUNT = 1
    assert sign_in() == "10.1.1.1"  # the address nginx saw


def test_events_cannot_be_changed_or_deleted_by_the_portal(db):
    event = SecurityEvent.objects.create(kind=Kind.DENIED, username="x", status=403)
    event.target = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.filter(pk=event.pk).update(target="rewritten")
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.all().delete()


def test_the_database_refuses_to_rewrite_an_event(db):
    event = SecurityEvent.objects.create(kind=Kind.DENIED, username="x", status=403)
    table = SecurityEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET target = 'rewritten' WHERE id = %s", [event.pk])  # noqa: S608
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
    assert SecurityEvent.objects.get(pk=event.pk).target == ""


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("auditor", 403),
        ("staff004", 403),
        ("manager", 403),
        ("administrator", 403),  # 三员分立: the log records the administrator's work
        ("secadmin", 403),
        ("secauditor", 200),
    ],
)
def test_only_the_security_auditor_reads_the_log(client_for, persona, status):
    assert client_for(persona).get("/security/events/").status_code == status


def _seed_log():
    rows = [
        (datetime(2023, 5, 1, 1, 0, tzinfo=UTC), Kind.SIGN_IN, "alice", "10.0.0.1"),
        (datetime(2023, 5, 1, 17, 0, tzinfo=UTC), Kind.DENIED, "chaoyang", "10.0.0.2"),
        (datetime(2023, 5, 3, 2, 0, tzinfo=UTC), Kind.DOWNLOAD, "chaoyang", "10.0.0.2"),
    ]
    for at, kind, username, address in rows:
        SecurityEvent.objects.create(at=at, kind=kind, username=username, address=address)


def test_the_log_filters_by_event_user_address_and_beijing_days(client_for):
    _seed_log()
    client = client_for("secauditor")

    def shown(query):
        response = client.get("/security/events/" + query)
        assert response.status_code == 200
        return [(e.kind, e.username) for e in response.context["page"].object_list]

    assert len(shown("?until=2023-12-31")) == 3
    assert shown("?kind=denied") == [(Kind.DENIED, "chaoyang")]
    assert shown("?user=alice") == [(Kind.SIGN_IN, "alice")]
    assert shown("?address=10.0.0.2&kind=") == [
        (Kind.DOWNLOAD, "chaoyang"),
        (Kind.DENIED, "chaoyang"),
    ]
    # 2023-05-01 17:00 UTC is 2023-05-02 01:00 in Beijing.
    assert shown("?since=2023-05-02&until=2023-05-02") == [(Kind.DENIED, "chaoyang")]
    page = client.get("/security/events/?since=2023-05-02").content.decode()
    assert "2023-05-02 01:00:00" in page


def test_a_reversed_date_range_is_explained(client_for):
    page = client_for("secauditor").get("/security/events/?since=2023-05-03&until=2023-05-01")
    assert "开始日期晚于结束日期" in page.content.decode()


def test_the_log_page_takes_a_fixed_number_of_queries(client_for, django_assert_num_queries):
    from accounts.models import User

    users = list(User.objects.all())
    for i in range(150):
        SecurityEvent.objects.create(kind=Kind.SIGN_IN, user=users[i % len(users)], username="u")
    client = client_for("secauditor")
    # the session, the user, the count, one page of events with their users, the bell's
    # unread notifications
    with django_assert_num_queries(5):
        response = client.get("/security/events/")
    assert len(response.context["page"].object_list) == 100
    assert "第 1 页，共 2 页" in response.content.decode()


def test_an_admin_export_is_recorded_as_a_download(client_for, administrator):
    response = client_for("administrator").post(
        "/admin/agencies/agency/export/",
        {"format": "0", **{f"agencyresource_{f}": "on" for f in ("code", "name")}},
    )
    assert response.status_code == 200
    (download,) = events(Kind.DOWNLOAD)
    assert download.user == administrator
    assert download.target.endswith(".xlsx") and download.path == "/admin/agencies/agency/export/"


@pytest.mark.parametrize(
    ("since", "accepted"),
    [("2000-01-01", True), ("1999-12-31", False), ("2099-12-31", True), ("2100-01-01", False)],
)
def test_dates_are_taken_from_2000_to_2099_inclusive(client_for, since, accepted):
    page = client_for("secauditor").get(f"/security/events/?since={since}").content.decode()
    assert ("请输入 2000-01-01 至 2099-12-31 之间的日期" in page) is not accepted


def test_an_anonymous_visitors_404_is_not_logged_a_signed_in_ones_is(client, client_for):
    from security.models import Kind, SecurityEvent

    assert client.get("/no-such-page/").status_code == 404
    assert not SecurityEvent.objects.filter(kind=Kind.DENIED).exists()
    assert client_for("auditor").get("/no-such-page/").status_code == 404
    assert SecurityEvent.objects.filter(kind=Kind.DENIED, path="/no-such-page/").count() == 1


def test_the_security_auditor_exports_the_log_with_the_pages_filters(client_for):
    import csv
    import io

    from openpyxl import load_workbook

    _seed_log()
    SecurityEvent.objects.create(
        kind=Kind.DENIED, username='=HYPERLINK("http://x")', address="10.0.0.3"
    )
    client = client_for("secauditor")
    response = client.get("/security/events/export.xlsx?address=10.0.0.2")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "事件", "用户名")
    assert [row[1] for row in rows[1:]] == ["请求被拒绝", "下载"]  # oldest first
    assert SecurityEvent.objects.filter(kind=Kind.DOWNLOAD, target__endswith=".xlsx").exists()
    text = b"".join(client.get("/security/events/export.csv?address=10.0.0.3").streaming_content)
    lines = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert lines[1][2] == '\'=HYPERLINK("http://x")'  # a formula shown as text, never run
    refused = client.get("/security/events/export.csv?since=2023-05-03&until=2023-05-01")
    assert refused.status_code == 302
    assert "开始日期晚于结束日期" in client.get(refused["Location"]).content.decode()
