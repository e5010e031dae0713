"""Starting the next cycle: the form's defaults, the preview, 创建 and what it refuses."""

import io

import pytest
from openpyxl import Workbook

from agencies.models import Agency, Audit, Cycle
from checklist.models import Standard
from evidence.models import RequiredDocument
from security.models import Kind, SecurityEvent

from ..services import shift_years
from .helpers import form_data, next_cycle

URL = "/cycles/new/"


def test_years_before_nian_move_and_other_numbers_do_not():
    assert shift_years("需准备2022年度财务情况说明", 1) == "需准备2023年度财务情况说明"
    assert shift_years("2022 年总账、2021年凭证", 2) == "2024 年总账、2023年凭证"
    assert shift_years("编号12022年、共2022份、20220年", 1) == "编号12022年、共2022份、20220年"


def test_the_form_starts_from_last_year_moved_on(client_for, cycle):
    page = client_for("manager").get(URL).content.decode()
    assert 'value="2024"' in page and "2024年度" in page
    # documents 3 and 4 name the year before the audit year: now 2023
    assert "需准备2023年度财务情况说明" in page and "2023年总账" in page
    assert "上年：" in page  # the changed titles show last year's beside them
    roster = page.split('data-testid="roster">')[1].split("</textarea>")[0].splitlines()
    assert len(roster) == 50
    serial_first = Audit.objects.get(cycle=cycle, serial=1).agency
    assert roster[0].startswith(f"{serial_first.code} {serial_first.name}")


def test_the_forms_deadlines_are_last_years_a_year_on(client_for, cycle):
    from datetime import date

    cycle.document_deadline, cycle.self_assessment_deadline = date(2023, 3, 31), date(2023, 3, 15)
    cycle.save()
    page = client_for("manager").get(URL).content.decode()
    assert 'name="document_deadline" type="date" value="2024-03-31"' in page
    assert 'name="self_assessment_deadline" type="date" value="2024-03-15"' in page


def _preview(client, **changes):
    return client.post(URL, form_data(**changes) | {"action": "preview"})


def _fingerprint(page: str) -> str:
    return page.split('name="previewed" value="')[1].split('"')[0]


def _roster_without(code: str, *extra_lines: str) -> str:
    lines = form_data()["roster"].splitlines()
    kept = [line for line in lines if not line.startswith(code + " ")]
    assert len(kept) == len(lines) - 1
    return "\n".join([*kept, *extra_lines])


@pytest.mark.django_db
def test_preview_lists_what_differs_then_create_makes_it(client_for, cycle, manager):
    client = client_for("manager")
    changes = {
        "roster": _roster_without("007", "901 新区代办处 直投", "4"),
        "document_4": "2023年总账及明细账（电子账套）",
    }
    response = _preview(client, **changes)
    assert response.status_code == 422  # 004 listed twice
    assert "第 51 行：代办处 004 已在第" in response.content.decode()

    changes["roster"] = _roster_without("007", "901 新区代办处 直投")
    response = _preview(client, **changes)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="preview"' in page and Cycle.objects.filter(year=2024).count() == 0
    assert "新增：901 新区代办处" in page and "系统中尚无" in page
    assert "移出：007 怀柔" in page
    assert "资料 4 改名" in page and "2023年总账及明细账（电子账套）" in page
    assert "资料 3 改名" in page  # the year moved on

    page_data = form_data(**changes) | {"action": "create", "previewed": _fingerprint(page)}
    response = client.post(URL, page_data)
    assert response.status_code == 302 and response["Location"] == "/cycles/2024/"
    new = Cycle.objects.get(year=2024)
    assert new.previous == cycle and new.title == "2024年度稽核"
    roster = list(new.audits.roster())
    assert len(roster) == 50 and roster[-1].agency.code == "901" and roster[-1].serial == 50
    assert Agency.objects.get(code="901").funding_mode == "direct"
    assert not new.audits.filter(agency__code="007").exists()
    assert [a.serial for a in roster] == list(range(1, 51))
    standards = list(Standard.objects.for_cycle(new))
    assert len(standards) == 29
    assert all(s.previous.category.cycle == cycle for s in standards)
    # 3-2 names 2023 (the year its accounting changed over): moved on by default
    moved = [s for s in standards if s.previous.text != s.text]
    assert [s.code for s in moved] == ["3-2"] and "2024年会计核算是否按新制度变更" in moved[0].text
    titles = list(new.required_documents.values_list("title", flat=True))
    assert titles[3] == "2023年总账及明细账（电子账套）" and "2023年度财务情况说明" in titles[2]
    assert new.required_documents.get(number=2).is_previous_report
    assert SecurityEvent.objects.filter(kind=Kind.CYCLE_CREATED, target=new.title).exists()
    # last year is as it was
    assert cycle.audits.count() == 50 and cycle.required_documents.get(number=4).title.startswith(
        "2022年"
    )
    landing = client.get("/", follow=False)
    assert landing["Location"] == "/cycles/2024/"


def test_create_without_the_preview_of_these_values_only_previews(client_for, cycle):
    client = client_for("manager")
    page = _preview(client).content.decode()
    stale = form_data(title="2024年度稽核（修订）") | {
        "action": "create",
        "previewed": _fingerprint(page),
    }
    response = client.post(URL, stale)
    assert response.status_code == 200 and not Cycle.objects.filter(year=2024).exists()
    assert "预览后内容有改动" in response.content.decode()


def test_an_existing_or_earlier_year_is_refused(client_for, cycle, manager):
    client = client_for("manager")
    page = _preview(client, year="2023").content.decode()
    assert "新年度须晚于 2023 年" in page
    next_cycle(manager)
    page = client.get(URL).content.decode()
    assert "从 2024年度稽核 开始下一年度" in page  # the latest is now the source
    page = _preview(client, year="2024").content.decode()
    assert "新年度须晚于 2024 年" in page


def test_roster_mistakes_are_named_by_line_and_the_text_is_kept(client_for, cycle):
    roster = "004\nabc 某代办处\n902\n004 朝阳"
    response = _preview(client_for("manager"), roster=roster)
    page = response.content.decode()
    assert response.status_code == 422
    assert "第 2 行：“abc” 不是代办处编码" in page
    assert "第 4 行：代办处 004 已在第 1 行" in page
    assert "代办处 902 是系统中没有的新代办处" in page
    assert "abc 某代办处" in page  # what was typed stays
    assert not Cycle.objects.filter(year=2024).exists()


def test_a_new_agency_needs_a_name(client_for, cycle):
    page = _preview(client_for("manager"), roster="004\n902").content.decode()
    assert "代办处 902 是系统中没有的新代办处，请在编码后写上名称。" in page


def _roster_workbook(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "名单.xlsx"
    return out


def test_a_roster_loads_from_excel_in_serial_order(client_for, cycle):
    book = _roster_workbook(
        [
            ["序号", "编码", "名称", "直投／非直投"],
            [2, 4, "朝阳", "直投"],  # Excel turned 004 into 4
            [1, "903", "新设代办处", "非直投"],
        ]
    )
    data = form_data() | {"action": "preview", "roster_file": book}
    page = client_for("manager").post(URL, data).content.decode()
    assert "已从文件读入名单（2 个代办处）" in page
    assert "903 新设代办处 非直投\n004 朝阳 直投" in page
    assert not Cycle.objects.filter(year=2024).exists()


def test_a_file_that_is_not_a_workbook_is_refused_in_words(client_for, cycle):
    upload = io.BytesIO(b"not a workbook")
    upload.name = "名单.xlsx"
    data = form_data() | {"action": "preview", "roster_file": upload}
    response = client_for("manager").post(URL, data)
    assert response.status_code == 422
    assert "无法作为 Excel 工作簿（.xlsx）读取" in response.content.decode()


@pytest.mark.parametrize(
    "persona,status", [("auditor", 403), ("staff004", 403), ("administrator", 403)]
)
def test_only_managers_start_a_cycle(client_for, cycle, persona, status):
    assert client_for(persona).get(URL).status_code == status
    assert client_for(persona).post(URL, form_data() | {"action": "create"}).status_code == status
    assert not Cycle.objects.filter(year=2024).exists()


def test_the_required_documents_of_the_new_cycle_are_their_own(manager, cycle):
    new = next_cycle(manager, document_3="")
    numbers = list(new.required_documents.values_list("number", "title"))
    assert [n for n, _t in numbers] == list(range(1, 10))
    assert RequiredDocument.objects.filter(cycle=cycle).count() == 10
    # the short names go with their documents (3 left out: 4 is now 3)
    short = list(new.required_documents.values_list("short_name", flat=True))
    assert short[:4] == ["管理制度", "前次报告", "账簿凭证", "往来账"]


def test_the_new_cycle_keeps_last_years_settings_and_each_standards_rules(cycle, manager):
    from checklist.models import Applicability

    Cycle.objects.filter(pk=cycle.pk).update(
        rectification_remind_days=9, grade_excellent_min=92, grade_good_min=81, grade_pass_min=61
    )
    source = list(Standard.objects.for_cycle(cycle))
    Standard.objects.filter(pk=source[0].pk).update(is_veto=True)
    Standard.objects.filter(pk=source[1].pk).update(applies_to=Applicability.DIRECT)
    Standard.objects.filter(pk=source[2].pk).update(applies_to=Applicability.INDIRECT)
    new = next_cycle(manager)
    assert (
        new.rectification_remind_days,
        new.grade_excellent_min,
        new.grade_good_min,
        new.grade_pass_min,
    ) == (9, 92, 81, 61)
    rules = [
        (s.code, s.max_points, s.is_veto, s.applies_to) for s in Standard.objects.for_cycle(new)
    ]
    before = [
        (s.code, s.max_points, s.is_veto, s.applies_to) for s in Standard.objects.for_cycle(cycle)
    ]
    assert rules == before
    assert rules[0][2] is True and [r[3] for r in rules[1:3]] == ["direct", "indirect"]


def test_an_agency_listed_again_keeps_its_mode_and_is_active_again(client_for, cycle, manager):
    """A line without 直投/非直投 keeps the agency's mode; an agency made inactive meanwhile
    is active again once it is on a roster; one that was on last year's roster is not
    announced as added, one that was not is."""
    Agency.objects.filter(code="004").update(funding_mode="indirect")
    Agency.objects.create(code="950", name="停用代办处", funding_mode="direct", is_active=False)
    roster = _roster_without("004", "004 朝阳", "950 停用代办处")
    page = _preview(client_for("manager"), roster=roster).content.decode()
    added = [line.split(">", 1)[1] for line in page.split('data-testid="added"')[1:]]
    assert len(added) == 1 and added[0].startswith("新增：950 停用代办处")
    new = next_cycle(manager, roster=roster)
    assert Agency.objects.get(code="004").funding_mode == "indirect"
    assert Agency.objects.get(code="950").is_active
    assert new.audits.filter(agency__code="950").exists()


def test_a_cycle_is_not_made_from_one_that_is_no_longer_the_latest(cycle, manager):
    """Two managers preview from 2023; the first makes 2024; the second's plan, still from
    2023, for 2025, is refused: it would skip the year just made."""
    from cycles.forms import NextCycleForm
    from cycles.services import PlanError, build_plan, create_next_cycle

    form = NextCycleForm(form_data(cycle, year="2025", title="2025年度稽核"), source=cycle)
    assert form.is_valid(), form.errors
    plan, errors = build_plan(cycle, form.values())
    assert not errors
    next_cycle(manager)
    Cycle.objects.filter(year=2024).update(previous=None)  # 2023 has no "next" link now
    with pytest.raises(PlanError, match="请刷新页面"):
        create_next_cycle(plan, by=manager)
    assert not Cycle.objects.filter(year=2025).exists()


def test_a_standard_the_values_leave_out_keeps_last_years_text(cycle):
    """The service's own guard (the form requires every text): a standard without a
    wording is carried as written last year, never emptied."""
    from cycles.forms import NextCycleForm
    from cycles.services import build_plan

    form = NextCycleForm(form_data(cycle), source=cycle)
    assert form.is_valid(), form.errors
    values = form.values()
    first = next(iter(values["standards"]))
    values["standards"][first] = "  "
    plan, errors = build_plan(cycle, values)
    assert not errors
    entry = next(e for e in plan.standards if e.standard.pk == first)
    assert entry.text == entry.standard.text != ""


def test_what_the_manager_changes_reaches_the_new_cycle(cycle, manager):
    """The dates as written on the form, not last year's moved on; a line that gives an
    agency on the portal a new name and 直投/非直投 changes the agency; a new agency
    without 直投/非直投 has none."""
    from datetime import date

    new = next_cycle(
        manager,
        document_deadline="2024-04-15",
        self_assessment_deadline="2024-03-20",
        roster=_roster_without("004", "004 朝阳区 直投", "902 新设代办处"),
    )
    assert (new.document_deadline, new.self_assessment_deadline) == (
        date(2024, 4, 15),
        date(2024, 3, 20),
    )
    agency = Agency.objects.get(code="004")
    assert (agency.name, agency.funding_mode) == ("朝阳区", "direct")
    assert new.audits.get(agency=agency).serial == 50
    assert Agency.objects.get(code="902").funding_mode == ""  # not written, none guessed
