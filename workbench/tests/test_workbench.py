"""工作台: each person lands on what waits for them, every line linking to the work, in a
fixed number of queries; the top bar shows how many."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Agency, Audit
from checklist.services import return_audit, submit_audit
from checklist.tests.helpers import audit_of, score_everything
from evidence import services as evidence
from evidence.models import RequiredDocument
from evidence.tests.conftest import empty_store  # noqa: F401 (each test ends with an empty store)
from rectification import services as rectification
from rectification.models import RectificationItem
from rectification.tests.helpers import finalized, item_of

TODAY = timezone.localdate()


@pytest.fixture
def season(manager, auditor, staff004):
    """朝阳 finalized (1-2 submitted, 2-3 overdue, 3-5 waiting for more time), 怀柔 under
    review, 密云 returned to its auditor, one document of 朝阳's next… submitted at 怀柔."""
    chaoyang = finalized("004", manager)
    for code in ("004", "007", "008"):
        audit_of(code).auditors.add(auditor)
    first = item_of(chaoyang, "1-2")
    rectification.answer_item(
        item=first,
        by=staff004,
        answer=rectification.Answer("已整改", "刘明", TODAY),
        expected_version=1,
        submit=True,
    )
    RectificationItem.objects.filter(pk=item_of(chaoyang, "2-3").pk).update(
        deadline=TODAY - timedelta(days=2)
    )
    last = item_of(chaoyang, "3-5")
    rectification.ask_for_more_time(
        item=last, by=staff004, proposed=last.deadline + timedelta(days=30), reason="搬迁"
    )
    huairou = audit_of("007")
    score_everything(huairou, auditor)
    submit_audit(audit=huairou, by=auditor)
    miyun = audit_of("008")
    score_everything(miyun, auditor)
    submit_audit(audit=miyun, by=auditor)
    return_audit(audit=miyun, by=manager, comment="2-1 的得分请再核对")
    evidence.store_bytes(
        audit=huairou,
        document=RequiredDocument.objects.get(cycle=huairou.cycle, number=1),
        name="制度.pdf",
        content=b"%PDF-1.4 wb",
        by=manager,
    )
    return chaoyang


def sections(client):
    response = client.get("/workbench/")
    assert response.status_code == 200
    return {s.key: [line.text for line in s.lines] for s in response.context["sections"]}, response


def test_an_auditor_sees_returns_documents_answers_and_overdue_items(client_for, season):
    found, response = sections(client_for("auditor"))
    assert found["returned"] == ["2023 密云（008）：2-1 的得分请再核对"]
    assert found["documents"] == ["2023 怀柔（007）：已提交 1 项"]
    assert [t.split(" · ")[1][:3] for t in found["verify"]] == ["1-2"]
    assert [t.split(" · ")[1][:3] for t in found["overdue"]] == ["2-3"]
    page = response.content.decode()
    assert "/cycles/2023/agencies/008/scoring/" in page
    assert "/cycles/2023/agencies/007/documents/" in page
    assert 'data-testid="nav-workbench">工作台 <span' in page


def test_a_manager_sees_reviews_requests_answers_and_overdue_agencies(client_for, season):
    found, response = sections(client_for("manager"))
    assert found["review"] == ["2023 怀柔（007）"]
    assert len(found["extensions"]) == 1 and "3-5：申请延期至" in found["extensions"][0]
    assert found["verify"] == ["2023 朝阳（004）：已提交 1 项"]
    assert found["overdue"] == ["2023 朝阳（004）：逾期 1 项"]
    assert "您有 4 项待办。" in response.content.decode()


def test_agency_staff_see_items_to_answer_and_documents_to_upload(client_for, season):
    found, response = sections(client_for("staff004"))
    assert [t.split(" ")[2][:3] for t in found["rectify"]] == ["2-3", "3-5"]
    assert found["upload"] == []  # 朝阳 is finalized
    other, _ = sections(client_for("staff007"))
    assert other["rectify"] == [] and other["upload"] == ["2023年度稽核：有 9 项资料待上传"]
    page = response.content.decode()
    assert page.count(">逾期<") == 1


def test_the_top_bar_counts_what_waits(client_for, season):
    page = client_for("staff004").get("/cycles/2023/agencies/004/").content.decode()
    assert (
        'data-testid="nav-workbench">工作台 <span class="badge rounded-pill text-bg-light" aria-label="有 2 项待办">2</span>'
        in page
    )


def test_nothing_waiting_says_so(client_for):
    found, response = sections(client_for("administrator"))
    assert found == {}
    assert "目前没有待办事项。" in response.content.decode()


def test_signing_in_lands_on_the_workbench(client, staff004):
    from audit_portal.testing import PERSONA_PASSWORD

    response = client.post(
        "/accounts/login/", {"username": staff004.username, "password": PERSONA_PASSWORD}
    )
    assert response["Location"] == "/workbench/"


@pytest.mark.parametrize("persona", ["auditor", "manager", "staff004"])
def test_queries_do_not_grow_with_agencies(client_for, season, cycle, persona, auditor):
    """450 agencies under review (a fifth of them the auditor's), then 450 more: the same
    queries, and the sections past their first lines count the rest."""
    client = client_for(persona)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get("/workbench/")
        return len(captured)

    def grow(first):
        agencies = Agency.objects.bulk_create(
            Agency(code=f"{n:04d}", name=f"测试{n}") for n in range(first, first + 450)
        )
        audits = Audit.objects.bulk_create(
            Audit(cycle=cycle, agency=agency, serial=first + i, status="under_review")
            for i, agency in enumerate(agencies)
        )
        for audit in audits[::5]:
            audit.auditors.add(auditor)

    grow(1000)
    before = queries()
    grow(2000)
    assert queries() == before


def test_a_long_section_shows_its_first_lines_its_count_and_the_whole_list(
    client_for, season, cycle
):
    from workbench.selectors import LINES_SHOWN

    agencies = Agency.objects.bulk_create(
        Agency(code=f"{n:04d}", name=f"测试{n}") for n in range(1000, 1030)
    )
    Audit.objects.bulk_create(
        Audit(cycle=cycle, agency=agency, serial=100 + i, status="under_review")
        for i, agency in enumerate(agencies)
    )
    found, response = sections(client_for("manager"))
    assert len(found["review"]) == LINES_SHOWN == 20
    (review,) = [s for s in response.context["sections"] if s.key == "review"]
    assert review.total == 31 and review.more == 11
    page = response.content.decode()
    more = page.split('data-testid="more-review"')[1].split("</p>")[0]
    assert "另有 11 项未在此列出" in more and 'href="/cycles/2023/?status=under_review"' in more
    assert 'data-testid="waiting">您有 34 项待办。' in page
    from workbench.selectors import count_for

    assert count_for(response.context["user"]) == 34


def _more_items(audit, n, finding, **fields):
    """``n`` more items at ``audit``, one for each standard it has none for yet."""
    from checklist.models import Standard

    taken = RectificationItem.objects.filter(audit=audit).values("standard")
    spare = Standard.objects.filter(category__cycle=audit.cycle).exclude(pk__in=taken)[:n]
    RectificationItem.objects.bulk_create(
        RectificationItem(
            audit=audit,
            standard=standard,
            result="largely",
            finding=f"{finding}{k}",
            requirement="r",
            **fields,
        )
        for k, standard in enumerate(spare)
    )


def test_an_auditors_long_list_links_to_their_own_part_of_the_ledger(
    client_for, season, auditor, manager
):
    _more_items(season, 25, "逾期问题", deadline=TODAY - timedelta(days=3))
    found, response = sections(client_for("auditor"))
    assert len(found["overdue"]) == 20
    page = response.content.decode()
    link = "/cycles/2023/rectification/?status=overdue&amp;mine=1"
    assert link in page.split('data-testid="more-overdue"')[1].split("</p>")[0]
    ledger = client_for("auditor").get(link.replace("&amp;", "&"))
    assert ledger.context["paged"].page.paginator.count == 26
    other = client_for("assigned").get(link.replace("&amp;", "&"))
    assert other.context["paged"].page.paginator.count == 0  # not 柏稽核's agencies


@pytest.mark.parametrize("persona", ["manager", "auditor", "staff004", "staff007", "administrator"])
def test_the_top_bar_count_is_the_number_of_lines(client_for, season, persona):
    """count_for counts a manager's work in the database, not by building the lines: both
    must agree, in a season with something in every section."""
    from accounts.models import User
    from audit_portal.testing import persona_user
    from workbench.selectors import count_for, sections_for

    user = User.objects.get(pk=persona_user(persona).pk)
    lines = sum(section.total for section in sections_for(user))
    assert count_for(user) == lines
    if persona == "manager":
        assert lines == 4
        # an audit with both an answer to verify and an overdue item is one line of each
        RectificationItem.objects.filter(audit=season, standard__number=5).update(
            deadline=TODAY - timedelta(days=1)
        )
        lines = sum(section.total for section in sections_for(user))
        assert count_for(user) == lines == 4


def test_an_auditor_sees_only_the_agencies_assigned_to_them(client_for, season, auditor):
    """柏稽核 audits 怀柔 only: 朝阳's answers and overdue items and 密云's return are 艾稽核's."""
    from audit_portal.testing import persona_user

    audit_of("007").auditors.add(persona_user("assigned"))
    found, response = sections(client_for("assigned"))
    assert found["documents"] == ["2023 怀柔（007）：已提交 1 项"]
    assert found["returned"] == [] and found["verify"] == [] and found["overdue"] == []
    assert found["carried"] == []
    page = response.content.decode()
    assert "朝阳" not in page and "密云" not in page
    from workbench.selectors import count_for

    assert count_for(persona_user("assigned")) == 1


def test_each_of_the_managers_lines_says_what_links_where_and_when_due(client_for, season):
    """Every part of a line is the person's guide: the section's heading, the words, where
    the line leads, the deadline shown beside it and whether it is late."""
    response = client_for("manager").get("/workbench/")
    found = {section.key: section for section in response.context["sections"]}
    assert {key: found[key].title for key in ("review", "extensions", "verify", "overdue")} == {
        "review": "待您复核定稿的稽核",
        "extensions": "待审批的延期申请",
        "verify": "待核验的整改情况",
        "overdue": "各代办处逾期整改项",
    }
    assert [(line.text, line.url) for line in found["review"].lines] == [
        ("2023 怀柔（007）", "/cycles/2023/agencies/007/")
    ]
    [asked] = found["extensions"].lines
    waiting = item_of(season, "3-5")
    assert asked.url == f"/cycles/2023/agencies/004/rectification/{waiting.pk}/"
    assert (asked.due, asked.late) == (waiting.deadline, False)
    [late] = found["overdue"].lines
    assert late.url == "/cycles/2023/agencies/004/rectification/"


def test_audits_under_review_come_newest_cycle_first_then_by_serial(client_for, season, manager):
    from cycles.tests.helpers import next_cycle

    next_cycle(manager)
    for code in ("008", "004"):
        Audit.objects.filter(cycle__year=2024, agency__code=code).update(status="under_review")
    # 2024's serials not in the rows' order: 密云 first
    Audit.objects.filter(cycle__year=2024, agency__code="004").update(serial=998)
    response = client_for("manager").get("/workbench/")
    review = next(s for s in response.context["sections"] if s.key == "review")
    assert [line.text for line in review.lines] == [
        "2024 密云（008）",
        "2024 朝阳（004）",
        "2023 怀柔（007）",
    ]
    assert review.lines[1].url == "/cycles/2024/agencies/004/"


def _waiting_at(audits, standard, **fields):
    """An item at each of ``audits`` for ``standard`` (not yet one of theirs)."""
    return RectificationItem.objects.bulk_create(
        RectificationItem(
            audit=audit,
            standard=standard,
            result="largely",
            finding=f"问题{audit.agency.code}",
            requirement="r",
            **fields,
        )
        for audit in audits
    )


def test_a_managers_long_sections_link_to_the_whole_lists_in_the_same_queries(
    client_for, season, cycle, staff004
):
    """Requests for more time, answers to verify and overdue items at 24 agencies: the first
    20 lines of each, each linking to its item or agency, late ones flagged, the rest in the
    newest year's 整改台账 filtered to that kind; and the page asks the same queries for 2
    lines as for 20."""
    from checklist.models import Standard
    from rectification.models import ExtensionRequest

    client = client_for("manager")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/workbench/").status_code == 200
        return len(captured)

    standards = Standard.objects.filter(category__cycle=cycle).order_by("category__position")
    submitted, late = (
        standards.get(number=7, category__position=1),
        standards.get(number=8, category__position=1),
    )
    others = list(
        Audit.objects.filter(cycle=cycle)
        .exclude(agency__code="004")
        .select_related("agency")
        .order_by("serial")[:24]
    )
    # serials the other way round from the rows: the lines follow the serials
    for n, audit in enumerate(others):
        audit.serial = 900 - n
    Audit.objects.bulk_update(others, ["serial"])
    others.reverse()

    def grow(audits):
        _waiting_at(audits, submitted, status="submitted", deadline=TODAY + timedelta(days=9))
        items = _waiting_at(audits, late, status="pending", deadline=TODAY - timedelta(days=1))
        ExtensionRequest.objects.bulk_create(
            ExtensionRequest(
                item=item,
                proposed_deadline=TODAY + timedelta(days=30),
                reason="搬迁",
                requested_by=staff004,
            )
            for item in items
        )

    grow(others[:1])
    few = queries()
    grow(others[1:19])
    assert queries() == few  # 19 and 20 lines a section: none past the first LINES_SHOWN
    grow(others[19:])
    response = client.get("/workbench/")
    found = {section.key: section for section in response.context["sections"]}
    assert [found[key].total for key in ("extensions", "verify", "overdue")] == [25, 25, 25]
    assert {key: found[key].more_url for key in ("extensions", "verify", "overdue")} == {
        "extensions": "/cycles/2023/rectification/?status=extension",
        "verify": "/cycles/2023/rectification/?status=submitted",
        "overdue": "/cycles/2023/rectification/?status=overdue",
    }
    # 朝阳 first (serial 4), then the others by serial; each line leads to the agency
    codes = ["004"] + [audit.agency.code for audit in others[:19]]
    assert [line.url for line in found["verify"].lines] == [
        f"/cycles/2023/agencies/{code}/rectification/" for code in codes
    ]
    assert [line.text for line in found["overdue"].lines][:2] == [
        "2023 朝阳（004）：逾期 1 项",
        f"2023 {others[0].agency.name}（{others[0].agency.code}）：逾期 1 项",
    ]
    assert {(line.late, line.due) for line in found["overdue"].lines} == {(True, None)}
    # the requests in the order asked: 朝阳's (on time) first, then the late ones
    asked = found["extensions"].lines
    assert [(line.late, line.due) for line in asked[:2]] == [
        (False, item_of(season, "3-5").deadline),
        (True, TODAY - timedelta(days=1)),
    ]
    first = RectificationItem.objects.get(audit=others[0], standard=late)
    assert (
        asked[1].url == f"/cycles/2023/agencies/{others[0].agency.code}/rectification/{first.pk}/"
    )
    page = response.content.decode()
    more = page.split('data-testid="more-extensions"')[1].split("</p>")[0]
    assert 'href="/cycles/2023/rectification/?status=extension"' in more


def test_the_list_of_audits_under_review_links_to_the_newest_cycles_overview(
    client_for, season, manager
):
    """Past the first lines, the whole list is the newest cycle's overview (where the lines
    shown begin), not the oldest's."""
    from cycles.tests.helpers import next_cycle

    next_cycle(manager)
    Audit.objects.filter(cycle__year=2024, agency__code="004").update(status="under_review")
    Audit.objects.filter(cycle__year=2023, serial__gt=10).update(status="under_review")
    response = client_for("manager").get("/workbench/")
    review = next(s for s in response.context["sections"] if s.key == "review")
    assert review.lines[0].text == "2024 朝阳（004）" and review.lines[1].text.startswith("2023")
    assert review.more_url == "/cycles/2024/?status=under_review"


def test_answers_to_verify_come_newest_cycle_first(client_for, season, manager):
    from cycles.tests.helpers import next_cycle

    next_cycle(manager)
    miyun = Audit.objects.get(cycle__year=2024, agency__code="008")
    from checklist.models import Standard

    standard = Standard.objects.get(category__cycle=miyun.cycle, category__position=1, number=1)
    _waiting_at([miyun], standard, status="submitted", deadline=TODAY)
    verify = next(
        s for s in client_for("manager").get("/workbench/").context["sections"] if s.key == "verify"
    )
    assert [line.text for line in verify.lines] == [
        "2024 密云（008）：已提交 1 项",
        "2023 朝阳（004）：已提交 1 项",
    ]


def test_agency_staff_lines_say_what_is_missing_and_returned_under_their_headings(
    client_for, season
):
    """A returned document is still to upload (9 of 10: one submitted, one sent back);
    each section has its heading; an item's line shows its deadline."""
    from evidence.models import DocumentRequest

    huairou = audit_of("007")
    DocumentRequest.objects.create(
        audit=huairou,
        document=RequiredDocument.objects.get(cycle=huairou.cycle, number=2),
        status="returned",
        return_reason="缺少盖章页",
    )
    found, response = sections(client_for("staff007"))
    assert found["upload"] == ["2023年度稽核：有 9 项资料待上传，其中 1 项被退回补充"]
    titles = {section.key: section.title for section in response.context["sections"]}
    assert titles == {
        "rectify": "待填报的整改项",
        "upload": "待上传的资料",
        "self": "待提交的自评",
        "sign": "待签收的稽核通知书",
        "reply": "待反馈的征求意见稿",
    }
    own = next(
        s for s in sections(client_for("staff004"))[1].context["sections"] if s.key == "rectify"
    )
    assert [line.due for line in own.lines] == [
        item_of(season, code).deadline for code in ("2-3", "3-5")
    ]


def test_agency_staff_read_each_cycle_in_the_same_queries(client_for, season, manager):
    """怀柔's 工作台 asks as many queries with two cycles under way as with one."""
    from cycles.tests.helpers import next_cycle

    client = client_for("staff007")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get("/workbench/")
        return len(captured)

    one = queries()
    next_cycle(manager)
    found, _ = sections(client)
    assert len(found["upload"]) == 2  # 2024's documents and 2023's
    assert queries() == one


def test_an_auditors_item_line_shows_the_finding_cut_at_40_characters_its_link_and_deadline(
    client_for, season
):
    item = item_of(season, "2-3")
    RectificationItem.objects.filter(pk=item.pk).update(finding="一二三四五六七八九十" * 5)
    overdue = next(
        s
        for s in client_for("auditor").get("/workbench/").context["sections"]
        if s.key == "overdue"
    )
    [line] = overdue.lines
    assert line.text == "2023 朝阳（004） · 2-3 " + "一二三四五六七八九十" * 4
    assert line.url == f"/cycles/2023/agencies/004/rectification/{item.pk}/"
    assert (line.due, line.late) == (TODAY - timedelta(days=2), True)


def test_lateness_is_judged_on_the_day_asked_for(season, manager):
    """sections_for(user, day) says what is late on that day (a reminder run for tomorrow),
    not today: 3-5, whose extension is pending, is late a year from now."""
    from workbench.selectors import sections_for

    later = item_of(season, "3-5").deadline + timedelta(days=1)
    extensions = next(s for s in sections_for(manager, later) if s.key == "extensions")
    assert [line.late for line in extensions.lines] == [True]
    today = next(s for s in sections_for(manager, TODAY) if s.key == "extensions")
    assert [line.late for line in today.lines] == [False]


AUDITOR_HEADINGS = [
    ("returned", "退回给您的稽核"),
    ("objections", "待答复的征求意见稿异议"),
    ("documents", "待审核的资料"),
    ("carried", "上年问题待核实"),
    ("verify", "待核验的整改情况"),
    ("overdue", "您负责代办处的逾期整改项"),
]
MANAGER_HEADINGS = [
    ("review", "待您复核定稿的稽核"),
    ("extensions", "待审批的延期申请"),
    ("verify", "待核验的整改情况"),
    ("overdue", "各代办处逾期整改项"),
    ("notices", "未签收的稽核通知书"),
]


@pytest.mark.parametrize(
    ("persona", "headings"), [("auditor", AUDITOR_HEADINGS), ("manager", MANAGER_HEADINGS)]
)
def test_each_section_is_headed_by_what_waits_in_it(client_for, season, persona, headings):
    """The heading is what tells an office worker what the lines below are: each section's,
    in order, and on the page above the lines it has."""
    response = client_for(persona).get("/workbench/")
    sections = response.context["sections"]
    assert [(s.key, str(s.title)) for s in sections] == headings
    page = response.content.decode()
    for section in sections:
        if section.lines:
            assert f'id="wb-{section.key}" class="h5">{section.title} <span' in page


def _set_document(audit, number, status):
    from evidence.models import DocumentRequest

    request, _ = DocumentRequest.objects.get_or_create(
        audit=audit, document=RequiredDocument.objects.get(cycle=audit.cycle, number=number)
    )
    request.status = status
    request.return_reason = "扫描件不清晰" if status == "returned" else ""
    request.save()


def test_an_auditor_reviews_only_submitted_documents_of_audits_not_finalized(client_for, season):
    """Accepted and returned documents are done with for now; a finalized audit (朝阳) asks
    nothing more of its auditor, whatever a document's state."""
    from evidence.models import DocumentStatus

    huairou = audit_of("007")
    _set_document(huairou, 2, DocumentStatus.ACCEPTED)
    _set_document(huairou, 3, DocumentStatus.RETURNED)
    _set_document(huairou, 4, DocumentStatus.MISSING)
    _set_document(season, 2, DocumentStatus.SUBMITTED)
    found, _ = sections(client_for("auditor"))
    assert found["documents"] == ["2023 怀柔（007）：已提交 1 项"]


def test_an_auditors_lines_come_newest_cycle_first_then_by_serial(client_for, season, manager):
    from cycles.tests.helpers import next_cycle
    from evidence.models import DocumentStatus

    next_cycle(manager)
    auditor = client_for("auditor")
    later = Audit.objects.get(cycle__year=2024, agency__code="008")
    later.auditors.add(season.auditors.first())
    _set_document(later, 1, DocumentStatus.SUBMITTED)
    # 密云 comes before 怀柔 in 2023's order of audits, although it was added after
    miyun, huairou = audit_of("008"), audit_of("007")
    Audit.objects.filter(pk=miyun.pk).update(serial=900)
    Audit.objects.filter(pk=huairou.pk).update(serial=miyun.serial)
    Audit.objects.filter(pk=miyun.pk).update(serial=huairou.serial)
    _set_document(miyun, 1, DocumentStatus.SUBMITTED)
    found, _ = sections(auditor)
    assert found["documents"] == [
        "2024 密云（008）：已提交 1 项",
        "2023 密云（008）：已提交 1 项",
        "2023 怀柔（007）：已提交 1 项",
    ]


def test_an_auditors_lines_read_the_same_queries_for_40_agencies_as_for_4(
    client_for, season, cycle, auditor
):
    """Each line names its agency: the agencies are read with the audits, not one by one."""
    from evidence.models import DocumentRequest, DocumentStatus

    client = client_for("auditor")
    document = RequiredDocument.objects.get(cycle=cycle, number=1)

    def grow(first, n):
        agencies = Agency.objects.bulk_create(
            Agency(code=f"{k:04d}", name=f"测试{k}") for k in range(first, first + n)
        )
        audits = Audit.objects.bulk_create(
            Audit(cycle=cycle, agency=agency, serial=first + i, status="in_progress")
            for i, agency in enumerate(agencies)
        )
        DocumentRequest.objects.bulk_create(
            DocumentRequest(audit=audit, document=document, status=DocumentStatus.SUBMITTED)
            for audit in audits
        )
        for audit in audits:
            audit.auditors.add(auditor)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/workbench/")
        return len(captured), response

    def documents(response):
        return next(s for s in response.context["sections"] if s.key == "documents")

    grow(1000, 4)
    before, response = queries()
    assert len(documents(response).lines) == 5
    grow(2000, 36)
    after, response = queries()
    assert documents(response).total == 41 and len(documents(response).lines) == 20
    assert after == before


def test_an_auditors_long_list_of_answers_links_to_their_part_of_the_ledger(
    client_for, season, auditor
):
    _more_items(season, 24, "已答复", status="submitted", deadline=TODAY + timedelta(days=30))
    found, response = sections(client_for("auditor"))
    assert len(found["verify"]) == 20
    page = response.content.decode()
    link = "/cycles/2023/rectification/?status=submitted&amp;mine=1"
    assert link in page.split('data-testid="more-verify"')[1].split("</p>")[0]
    ledger = client_for("auditor").get(link.replace("&amp;", "&"))
    assert ledger.context["paged"].page.paginator.count == 25


def test_the_managers_count_is_one_line_per_agency_whatever_its_items(season, manager):
    """Two answers to verify at 朝阳 are one line; an agency whose items are neither
    answered nor late (密云's, due next month) is no line."""
    from checklist.models import Standard
    from workbench.selectors import count_for, sections_for

    taken = RectificationItem.objects.filter(audit=season).values("standard")
    spare = Standard.objects.filter(category__cycle=season.cycle).exclude(pk__in=taken)
    RectificationItem.objects.bulk_create(
        [
            RectificationItem(
                audit=season,
                standard=spare[0],
                result="largely",
                finding="二次答复",
                requirement="r",
                status="submitted",
                deadline=TODAY + timedelta(days=30),
            ),
            RectificationItem(
                audit=audit_of("008"),
                standard=spare[1],
                result="largely",
                finding="未到期",
                requirement="r",
                status="pending",
                deadline=TODAY + timedelta(days=30),
            ),
        ]
    )
    lines = sum(section.total for section in sections_for(manager))
    assert count_for(manager) == lines == 4


def test_the_count_on_another_day_is_that_days_lines(season, auditor):
    """The top bar's count for a day asked for judges lateness on that day, as the lines do:
    a year on, every item 朝阳 has not answered is overdue."""
    from workbench.selectors import count_for, sections_for

    later = TODAY + timedelta(days=400)
    today = count_for(auditor)
    assert count_for(auditor, later) == sum(s.total for s in sections_for(auditor, later))
    assert count_for(auditor, later) > today


def test_an_auditors_item_lines_come_by_deadline_then_serial_in_the_same_queries(
    client_for, season, cycle
):
    """The most overdue first; on the same day, the audits in their order (朝阳 moved last);
    and 18 lines read no more queries than 3."""
    from checklist.models import Standard

    client = client_for("auditor")
    Audit.objects.filter(pk=season.pk).update(serial=990)
    huairou, miyun = audit_of("007"), audit_of("008")
    standards = list(Standard.objects.filter(category__cycle=cycle).order_by("pk"))
    _waiting_at([miyun], standards[0], status="pending", deadline=TODAY - timedelta(days=5))
    _waiting_at([huairou], standards[0], status="pending", deadline=TODAY - timedelta(days=2))

    def overdue():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/workbench/")
        section = next(s for s in response.context["sections"] if s.key == "overdue")
        return section, len(captured)

    section, few = overdue()
    assert [line.text.split(" · ")[0] for line in section.lines] == [
        "2023 密云（008）",
        "2023 怀柔（007）",
        "2023 朝阳（004）",
    ]
    for standard in standards[1:16]:
        _waiting_at([huairou], standard, status="pending", deadline=TODAY - timedelta(days=1))
    section, many = overdue()
    assert len(section.lines) == 18
    assert many == few
