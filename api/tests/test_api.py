"""/api/v1/: tokens, who sees what, the rectification steps through the services, the rate,
the security log, and the OpenAPI description."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from audit_portal.testing import persona_user
from checklist.tests.helpers import audit_of
from rectification.models import ItemStatus
from rectification.tests.helpers import finalized, item_of
from security.models import Kind, SecurityEvent

pytestmark = pytest.mark.django_db


def api(persona=None, *, write=True, key=None) -> Client:
    """A client calling with the persona's token (a new one), or with ``key``."""
    if key is None and persona is not None:
        _token, key = tokens.issue(persona_user(persona), name="OA", days=30, can_write=write)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return Client(**headers)


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def chaoyang_finalized(manager):
    return finalized("004", manager)


def test_without_a_usable_token_every_call_is_401_and_says_why(manager):
    assert Client().get("/api/v1/cycles/").status_code == 401
    assert Client().get("/api/v1/cycles/")["WWW-Authenticate"] == 'Bearer realm="api"'
    wrong = api(key="jhp_00000000_nothing").get("/api/v1/cycles/")
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "令牌不存在、已撤销或已过期，或者其账号已停用。"
    token, key = tokens.issue(persona_user("auditor"), name="OA", days=1, can_write=False)
    assert api(key=key).get("/api/v1/cycles/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api(key=key).get("/api/v1/cycles/").status_code == 401
    token, key = tokens.issue(persona_user("auditor"), name="OA", days=1, can_write=False)
    tokens.revoke(token, by=persona_user("auditor"))
    assert api(key=key).get("/api/v1/cycles/").status_code == 401
    token, key = tokens.issue(persona_user("auditor"), name="OA", days=1, can_write=False)
    auditor = persona_user("auditor")
    auditor.is_active = False
    auditor.save()
    assert api(key=key).get("/api/v1/cycles/").status_code == 401
    # a key of another token's prefix but not its secret
    _other, other_key = tokens.issue(manager, name="OA", days=1, can_write=False)
    assert (
        api(key=other_key[:-1] + ("A" if other_key[-1] != "A" else "B"))
        .get("/api/v1/cycles/")
        .status_code
        == 401
    )


def test_only_the_keys_digest_is_kept(manager):
    token, key = tokens.issue(manager, name="OA", days=30, can_write=False)
    token.refresh_from_db()
    assert key.startswith(f"jhp_{token.prefix}_") and len(key) > 40
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())


@pytest.mark.parametrize(
    ("days", "name", "said"),
    [
        (0, "OA", "令牌的有效期为 1 到 365 天。"),
        (366, "OA", "令牌的有效期为 1 到 365 天。"),
        (30, "  ", "请说明令牌的用途（例如 OA 系统）。"),
    ],
)
def test_a_token_is_refused_with_the_reason(manager, days, name, said):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        tokens.issue(manager, name=name, days=days, can_write=False)
    assert refused.value.messages == [said]


def test_the_security_roles_hold_no_token_and_reach_no_data(manager):
    from django.core.exceptions import PermissionDenied

    for persona in ("secadmin", "secauditor"):
        with pytest.raises(PermissionDenied):
            tokens.issue(persona_user(persona), name="OA", days=30, can_write=False)
    # a token made before the role changed is refused from then on
    _token, key = tokens.issue(manager, name="OA", days=30, can_write=False)
    manager.role = "security_auditor"
    manager.save()
    assert api(key=key).get("/api/v1/cycles/").status_code == 401


def test_agency_staff_see_their_own_agency_only_and_no_scores_before_finalization(manager):
    from checklist.tests.helpers import score_everything

    score_everything(audit_of("004"), manager, shortfalls=("1-2",))
    staff = api("staff004")
    audits = staff.get("/api/v1/cycles/2023/audits/").json()
    assert [a["agency_code"] for a in audits["results"]] == ["004"]
    hidden = audits["results"][0]
    assert (hidden["total_score"], hidden["grade"], hidden["category_scores"]) == (None, None, [])
    assert hidden["scores_visible"] is False
    shown = api("auditor").get("/api/v1/cycles/2023/audits/004/").json()
    assert shown["scores_visible"] is True
    assert shown["total_score"] == float(audit_of("004").total_score) > 0
    assert shown["grade"] and len(shown["category_scores"]) == 3
    assert staff.get("/api/v1/cycles/2023/audits/007/").status_code == 404
    assert staff.get("/api/v1/cycles/2023/audits/007/documents/").status_code == 404
    assert staff.get("/api/v1/cycles/").json()[0]["year"] == 2023
    office = api("auditor").get("/api/v1/cycles/2023/audits/?page_size=10").json()
    assert office["count"] == 50 and len(office["results"]) == 10
    assert office["next"].endswith("page=2&page_size=10")


def test_scores_and_the_issued_report_once_finalized(chaoyang_finalized, manager):
    staff = api("staff004")
    audit = staff.get("/api/v1/cycles/2023/audits/004/").json()
    assert audit["status"] == "finalized" and audit["status_label"] == "已定稿"
    assert audit["total_score"] == float(chaoyang_finalized.total_score)
    assert [c["name"] for c in audit["category_scores"]] == ["组织机构管理", "业务管理", "财务管理"]
    reports = staff.get("/api/v1/cycles/2023/audits/004/reports/").json()
    assert [r["version"] for r in reports] == [1]
    pdf = staff.get(reports[0]["download"])
    assert pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == reports[0]["sha256"] == pdf["X-Report-SHA256"]
    # the download is in the security log as an API call, with the token
    call = SecurityEvent.objects.filter(kind=Kind.API_CALL).latest("pk")
    assert (call.username, call.status, call.path) == ("chaoyang", 200, reports[0]["download"])
    assert call.detail.startswith("GET · OA (")


def test_the_documents_of_an_agency_each_with_its_state(manager, staff004):
    from evidence import services
    from evidence.models import RequiredDocument, evidence_storage

    audit = audit_of("004")
    stored = services.store_bytes(
        audit=audit,
        document=RequiredDocument.objects.get(cycle=audit.cycle, number=1),
        name="制度.pdf",
        content=b"%PDF-1.4 api",
        by=staff004,
    )
    try:
        rows = api("staff004").get("/api/v1/cycles/2023/audits/004/documents/").json()
    finally:
        evidence_storage().delete(stored.key)
    assert [row["number"] for row in rows] == list(range(1, 11))
    assert (rows[0]["status"], rows[0]["status_label"], rows[0]["files"]) == (
        "submitted",
        "已提交",
        1,
    )
    assert rows[0]["submitted_at"] is not None
    assert {row["status"] for row in rows[1:]} == {"missing"}
    assert (rows[1]["status_label"], rows[1]["files"]) == ("未提交", 0)


def test_the_standards_of_a_cycle(manager):
    categories = api("staff004").get("/api/v1/cycles/2023/standards/").json()
    assert [len(c["standards"]) for c in categories] == [8, 11, 10]
    assert categories[1]["standards"][2]["code"] == "2-3"


def test_a_read_only_token_changes_nothing(chaoyang_finalized):
    item = item_of(chaoyang_finalized, "1-2")
    staff = api("staff004", write=False)
    answered = post(
        staff,
        f"/api/v1/cycles/2023/audits/004/rectification/{item.pk}/answer/",
        {"measures": "m", "responsible": "r", "version": item.version},
    )
    assert answered.status_code == 403
    assert answered.json()["detail"] == "该令牌只能读取：需要修改数据时，请新建一个可读写的令牌。"
    item.refresh_from_db()
    assert item.measures == ""


def test_rectification_from_an_oa_system_goes_through_the_same_steps(chaoyang_finalized):
    item = item_of(chaoyang_finalized, "1-2")
    url = f"/api/v1/cycles/2023/audits/004/rectification/{item.pk}/"
    staff = api("staff004")
    incomplete = post(
        staff,
        url + "answer/",
        {"measures": "已整改", "responsible": "", "version": item.version, "submit": True},
    )
    assert incomplete.status_code == 409
    assert "责任人" in incomplete.json()["detail"]
    answer = {
        "measures": "已建立季度汇报制度。",
        "responsible": "张三",
        "completed_on": str(timezone.localdate()),
        "version": item.version,
        "submit": True,
    }
    done = post(staff, url + "answer/", answer)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "submitted"
    stale = post(staff, url + "answer/", answer)  # the version read before
    assert stale.status_code == 409
    # the office: only the agency's assigned auditors and managers verify
    assert post(api("auditor"), url + "close/").status_code == 403
    chaoyang_finalized.auditors.add(persona_user("assigned"))
    closed = post(api("assigned"), url + "close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.closed_by == persona_user("assigned")
    assert post(api("assigned"), url + "close/").status_code == 409
    # agency staff do not verify; the office does not answer for the agency
    other = item_of(chaoyang_finalized, "2-3")
    assert (
        post(
            api("staff004"), f"/api/v1/cycles/2023/audits/004/rectification/{other.pk}/close/"
        ).status_code
        == 403
    )
    assert (
        post(
            api("manager"),
            f"/api/v1/cycles/2023/audits/004/rectification/{other.pk}/answer/",
            answer | {"version": other.version},
        ).status_code
        == 403
    )


def test_a_returned_answer_says_what_is_missing(chaoyang_finalized):
    item = item_of(chaoyang_finalized, "2-3")
    url = f"/api/v1/cycles/2023/audits/004/rectification/{item.pk}/"
    staff = api("staff004")
    post(
        staff,
        url + "answer/",
        {
            "measures": "m",
            "responsible": "r",
            "completed_on": str(timezone.localdate()),
            "version": item.version,
            "submit": True,
        },
    )
    item.refresh_from_db()
    returned = post(
        api("manager"), url + "return/", {"reason": "缺少会议记录。", "version": item.version}
    )
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["return_reason"]) == (
        "returned",
        "缺少会议记录。",
    )
    listed = staff.get("/api/v1/cycles/2023/rectification/?status=returned").json()
    assert [row["standard"] for row in listed["results"]] == ["2-3"]
    bad = staff.get("/api/v1/cycles/2023/rectification/?status=late")
    assert bad.status_code == 400 and "status" in bad.json()


def test_each_call_is_in_the_security_log_refusals_too(manager):
    staff = api("staff004")
    staff.get("/api/v1/cycles/2023/audits/007/")
    refused = SecurityEvent.objects.filter(kind=Kind.API_CALL).latest("pk")
    assert (refused.username, refused.status, refused.path) == (
        "chaoyang",
        404,
        "/api/v1/cycles/2023/audits/007/",
    )
    # one row a call: the security middleware does not add a 拒绝 row of its own
    assert not SecurityEvent.objects.filter(
        kind=Kind.DENIED, path="/api/v1/cycles/2023/audits/007/"
    ).exists()
    Client().get("/api/v1/me/")
    anonymous = SecurityEvent.objects.filter(kind=Kind.API_CALL).latest("pk")
    assert (anonymous.username, anonymous.status) == ("", 401)
    made = SecurityEvent.objects.filter(kind=Kind.API_TOKEN_CREATED).latest("pk")
    assert made.username == "chaoyang" and made.target.startswith("chaoyang · OA (")


def test_a_token_is_limited_to_so_many_calls_a_minute(manager, settings):
    from django.core.cache import cache

    cache.clear()
    settings.API_RATE = "3/min"
    client = api("manager")
    answers = [client.get("/api/v1/me/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert "秒" in client.get("/api/v1/me/").json()["detail"]
    assert api("manager").get("/api/v1/me/").status_code == 200  # another token, its own count
    cache.clear()


def test_the_command_prints_a_key_that_works(manager):
    out = StringIO()
    call_command(
        "create_api_token",
        "mona",
        "--name",
        "OA 系统",
        "--days",
        "7",
        stdout=out,
        stderr=StringIO(),
    )
    key = out.getvalue().strip()
    me = api(key=key).get("/api/v1/me/").json()
    assert (me["username"], me["token_name"], me["can_write"]) == ("mona", "OA 系统", False)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有用户名为 nobody 的账号"):
        call_command("create_api_token", "nobody")


def test_the_audit_list_reads_the_same_queries_for_10_agencies_as_for_50(manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api("manager")
    client.get("/api/v1/me/")  # the token's first use is remembered once
    counts = []
    for size in (10, 50):
        with CaptureQueriesContext(connection) as queries:
            assert (
                len(client.get(f"/api/v1/cycles/2023/audits/?page_size={size}").json()["results"])
                == size
            )
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 15, counts


def test_the_api_answers_json_even_where_no_endpoint_is(manager):
    client = api("manager")
    missing = client.get("/api/v1/nothing-here/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "接口中没有这个地址。"}
    nul = client.get("/api/v1/cycles/2023/rectification/?agency=%00")
    assert nul.status_code == 400
    assert nul.json() == {"detail": "请求中含有不允许的 NUL 字符。"}
    assert client.get("/api/v1/cycles/9999999999999999999999/").status_code == 404
    # the portal's own pages keep their page
    assert "text/html" in Client().get("/no/such/page/")["Content-Type"]


def test_agency_staff_know_only_the_cycles_of_their_agencys_audits(manager):
    from agencies.models import Audit, Cycle

    later = Cycle.objects.create(
        year=2024, title="2024年度稽核", report_number_format="稽核〔{year}〕{code}号"
    )
    Audit.objects.create(cycle=later, agency=audit_of("007").agency, serial=1)
    staff = api("staff004")
    assert [c["year"] for c in staff.get("/api/v1/cycles/").json()] == [2023]
    assert staff.get("/api/v1/cycles/2024/").status_code == 404
    assert staff.get("/api/v1/cycles/2024/standards/").status_code == 404
    assert api("staff007").get("/api/v1/cycles/2024/").status_code == 200
    assert [c["year"] for c in api("auditor").get("/api/v1/cycles/").json()] == [2024, 2023]


def test_only_a_manager_reads_a_report_before_finalization_or_an_earlier_version(
    chaoyang_finalized, manager
):
    from reports.models import IssuedReport

    first = IssuedReport.objects.get(audit=chaoyang_finalized)
    IssuedReport.objects.create(
        audit=chaoyang_finalized,
        version=2,
        number=first.number + "（第2版）",
        issued_by=manager,
        content=first.content,
        sha256=first.sha256,
        size=first.size,
    )
    assert [
        r["version"] for r in api("manager").get("/api/v1/cycles/2023/audits/004/reports/").json()
    ] == [2, 1]
    assert [
        r["version"] for r in api("staff004").get("/api/v1/cycles/2023/audits/004/reports/").json()
    ] == [2]
    assert api("staff004").get("/api/v1/cycles/2023/audits/004/reports/1/pdf/").status_code == 404
    chaoyang_finalized.status = "under_review"
    chaoyang_finalized.save(update_fields=["status"])
    assert api("staff004").get("/api/v1/cycles/2023/audits/004/reports/").json() == []
    assert api("auditor").get("/api/v1/cycles/2023/audits/004/reports/2/pdf/").status_code == 404
    assert api("manager").get("/api/v1/cycles/2023/audits/004/reports/1/pdf/").status_code == 200


def test_the_last_use_is_remembered_once_a_minute(manager):
    token, key = tokens.issue(manager, name="OA", days=1, can_write=False)
    assert token.last_used_at is None
    api(key=key).get("/api/v1/me/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api(key=key).get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at == first  # within the minute: not written again
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api(key=key).get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at > first


def test_a_header_that_is_not_bearer_and_one_key_is_refused_in_words(manager):
    _token, key = tokens.issue(manager, name="OA", days=1, can_write=False)
    two = Client(HTTP_AUTHORIZATION=f"Bearer {key} extra").get("/api/v1/me/")
    assert two.status_code == 401
    assert two.json()["detail"] == "请在 Bearer 之后空一格再写令牌。"
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me/").status_code == 401
