"""问题库: a finding tagged with one problem type (a leaf of the office's tree), the type
suggested from the finding's words or from earlier choices on the same standard, and a
problem marked 屡查屡犯 when the same agency had it in an earlier cycle."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Audit
from checklist import problem_types, problems, services
from checklist.models import Assessment, Problem, ProblemType, Result, Wording
from checklist.tests.helpers import audit_of, save, standard
from cycles.tests.helpers import next_cycle
from rectification.tests.helpers import finalized


def leaf(name):
    return ProblemType.objects.get(name=name, parent__isnull=False)


@pytest.fixture
def library(db):
    problem_types.load()
    return {t.name: t for t in ProblemType.objects.all()}


def _problem(audit, code, by, **fields):
    return save(
        audit,
        code,
        by,
        result=fields.pop("result", Result.NON_COMPLIANT),
        points="4",
        finding=fields.pop("finding", "问题"),
        **fields,
    )


def test_a_finding_is_tagged_with_a_leaf_type_and_the_history_names_it(library, manager):
    audit = audit_of("004")
    approval = leaf("审批手续不全")
    saved = _problem(audit, "3-5", manager, problem_type=str(approval.pk))
    assert saved.problem_type_id == approval.pk
    change = saved.changes.get(version=saved.version)
    assert change.new["problem_type"] == "财务管理 › 审批手续不全"
    assert ("问题类型", "—", "财务管理 › 审批手续不全") in change.lines()
    # saved without the field (the work paper, an adopted objection): the type stays
    kept = _problem(audit, "3-5", manager, finding="问题，补充说明")
    assert kept.problem_type_id == approval.pk and "problem_type" not in kept.changes.first().new
    # an empty choice clears it, and the history says so
    cleared = _problem(audit, "3-5", manager, finding="问题，补充说明", problem_type="")
    assert cleared.problem_type_id is None
    assert cleared.changes.first().new == {"problem_type": ""}


@pytest.mark.parametrize("value", ["parent", "999999", "1e3", "-1", "١٢", "x" * 20])
def test_only_a_type_from_the_list_is_taken(library, manager, value):
    audit = audit_of("004")
    if value == "parent":
        value = str(library["财务管理"].pk)
    with pytest.raises(services.ScoringError) as refused:
        _problem(audit, "3-5", manager, problem_type=value)
    assert str(refused.value) == "请从列表中选择问题类型。"
    assert refused.value.field == "problem_type"
    assert not Assessment.objects.filter(audit=audit).exists()  # nothing saved


def test_the_tree_has_two_levels_and_a_used_type_gets_no_subtypes(library, manager):
    approval = leaf("审批手续不全")
    with pytest.raises(ValidationError, match="两级"):
        ProblemType(parent=approval, name="第三级").full_clean()
    _problem(audit_of("004"), "3-5", manager, problem_type=str(approval.pk))
    top = ProblemType.objects.create(name="新类别")
    ProblemType(parent=top, name="可以").full_clean()
    used_top = ProblemType.objects.create(name="曾被直接使用")
    Assessment.objects.filter(problem_type=approval).update(problem_type=used_top)
    with pytest.raises(ValidationError, match="不能再设子类型"):
        ProblemType(parent=used_top, name="子类型").full_clean()


def test_the_suggestion_follows_the_findings_words_then_earlier_choices(library, manager):
    audit = audit_of("004")
    worded = _problem(audit, "3-5", manager, finding="3笔支出缺少审批签字，手续不全")
    untagged = _problem(audit, "1-2", manager, finding="另有情况")
    compliant = save(audit, "2-3", manager, result=Result.COMPLIANT)
    assessments = {a.standard_id: a for a in (worded, untagged, compliant)}
    found = problems.suggestions(audit, assessments)
    assert found == {worded.standard_id: leaf("审批手续不全")}
    # another agency's auditor tagged 1-2 as 会议记录: that is suggested for 1-2 now
    meetings = leaf("会议及研究记录不全")
    _problem(audit_of("007"), "1-2", manager, finding="x", problem_type=str(meetings.pk))
    _problem(audit_of("008"), "1-2", manager, finding="x", problem_type=str(meetings.pk))
    _problem(
        audit_of("011"), "1-2", manager, finding="x", problem_type=str(leaf("文件未装订保存").pk)
    )
    found = problems.suggestions(audit, assessments)
    assert found[untagged.standard_id] == meetings
    # a tagged problem needs no suggestion
    tagged = _problem(audit, "1-2", manager, finding="另有情况", problem_type=str(meetings.pk))
    assert untagged.standard_id not in problems.suggestions(
        audit, {**assessments, tagged.standard_id: tagged}
    )


def test_keywords_split_on_chinese_and_latin_separators():
    kind = ProblemType(name="t", keywords="审批、签字,授权；报销  手续")
    assert kind.keyword_list() == ["审批", "签字", "授权", "报销", "手续"]


@pytest.fixture
def two_years(library, manager):
    """004 finalized in 2023 with problems on 1-2, 2-3, 3-5 (3-5 tagged 审批手续不全); 2024
    started from it, 2-3's text changed (the same standard: its line goes on)."""
    approval = leaf("审批手续不全")
    finalized("004", manager)
    Assessment.objects.filter(audit=audit_of("004"), standard=standard("3-5")).update(
        problem_type=approval
    )
    finalized("007", manager, shortfalls=("1-1",))
    next_cycle(manager, **{f"standard_{standard('2-3').pk}": "修改后的2-3标准文本"})
    return audit_of("004", 2024)


def test_the_same_standard_again_is_recurring_even_after_its_text_changed(two_years, manager):
    _problem(two_years, "2-3", manager)
    _problem(two_years, "1-1", manager)  # 007 had it, not 004
    found = problems.recurring(two_years)
    assert {standard(c, 2024).pk for c in ("2-3",)} == set(found)
    assert found[standard("2-3", 2024).pk].years == (2023,)
    assert found[standard("2-3", 2024).pk].label == "屡查屡犯（2023）"


def test_the_same_type_on_another_standard_is_recurring_too(two_years, manager):
    approval = leaf("审批手续不全")
    saved = _problem(two_years, "3-1", manager, problem_type=str(approval.pk))
    assert problems.recurring(two_years) == {saved.standard_id: problems.Recurrence((2023,))}
    other = _problem(two_years, "3-2", manager, problem_type=str(leaf("会计核算不规范").pk))
    assert other.standard_id not in problems.recurring(two_years)


def test_compliant_then_or_now_is_no_recurrence(two_years, manager):
    save(two_years, "1-2", manager, result=Result.COMPLIANT)
    _problem(two_years, "1-3", manager)  # 符合 in 2023
    assert problems.recurring(two_years) == {}


def test_only_earlier_cycles_count(two_years, manager):
    # a 2024 problem does not make 2023's recurring
    _problem(two_years, "1-2", manager)
    assert problems.recurring(audit_of("004")) == {}


def test_years_are_listed_in_order_over_several_cycles(two_years, manager):
    from checklist.services import submit_audit
    from checklist.tests.helpers import score_everything
    from reports.services import finalize_and_issue

    score_everything(two_years, manager, shortfalls=("1-2",))
    submit_audit(audit=two_years, by=manager)
    finalize_and_issue(audit=audit_of("004", 2024), by=manager)
    next_cycle(manager)
    audit = audit_of("004", 2025)
    _problem(audit, "1-2", manager)
    assert problems.recurring(audit)[standard("1-2", 2025).pk].label == "屡查屡犯（2023、2024）"
    # the circular's list: every finalized audit's recurring problems, in agency order
    rows = problems.recurring_in_cycle(audit_of("004", 2024).cycle)
    assert [(a.agency.code, s.code, r.years) for a, s, r, _type in rows] == [
        ("004", "1-2", (2023,))
    ]


def test_the_lines_of_standards_follow_previous_through_every_cycle(two_years):
    roots = problems.lineages()
    assert roots[standard("2-3", 2024).pk] == standard("2-3").pk
    assert roots[standard("2-3").pk] == standard("2-3").pk


def test_the_starter_library_loads_once(library):
    before = (ProblemType.objects.count(), Wording.objects.count())
    assert problem_types.load() == (0, 0)
    assert (ProblemType.objects.count(), Wording.objects.count()) == before
    assert before[0] == 3 + 11 and before[1] == 22


# The scoring page


SCORING_2024 = "/cycles/2024/agencies/004/scoring/"


def _block(page, code, year=2024):
    key = standard(code, year).pk
    return page.split(f'id="item-{key}"')[1].split("</article>")[0]


def test_the_page_shows_the_type_field_on_problems_only(client_for, two_years, manager):
    approval = leaf("审批手续不全")
    _problem(two_years, "3-5", manager, problem_type=str(approval.pk))
    save(two_years, "1-1", manager, result=Result.COMPLIANT)
    page = client_for("manager").get(SCORING_2024).content.decode()
    problem = _block(page, "3-5")
    assert f'<option value="{approval.pk}" selected>审批手续不全</option>' in problem
    assert '<optgroup label="财务管理">' in problem and 'name="problem_type"' in problem
    # a type's 常用表述, each to be put into the finding or the requirement
    assert "部分支出凭证缺少审批签字，审批手续不完整。" in problem
    assert 'data-insert-wording="finding-' in problem
    assert 'data-insert-wording="rectification-' in problem
    assert "屡查屡犯（2023）" in problem  # 004 had 审批手续不全 on 3-5 in 2023
    compliant = _block(page, "1-1")
    assert 'name="problem_type"' not in compliant and "d-none" in compliant


def test_an_untagged_problem_shows_the_suggestion_and_nothing_is_saved(
    client_for, two_years, manager
):
    _problem(two_years, "3-1", manager, finding="报销凭证缺少授权签字")
    page = client_for("manager").get(SCORING_2024).content.decode()
    block = _block(page, "3-1")
    assert 'data-testid="type-suggestion"' in block and "财务管理 › 审批手续不全" in block
    assert f'data-suggest-type="{leaf("审批手续不全").pk}"' in block
    assert (
        Assessment.objects.get(audit=two_years, standard=standard("3-1", 2024)).problem_type_id
        is None
    )


def _post(client, code, version, **fields):
    data = {
        "version": version,
        "result": "",
        "points": "",
        "finding": "",
        "rectification": "",
        "not_applicable_reason": "",
        **fields,
    }
    return client.post(f"{SCORING_2024}{code}/", data, HTTP_HX_REQUEST="true")


def test_the_field_appears_with_the_save_that_makes_a_problem(client_for, two_years, manager):
    client = client_for("manager")
    body = _post(
        client, "1-2", 0, result="non_compliant", points="3", finding="会议无记录"
    ).content.decode()
    # the type field arrives with its notes: 1-2 was a problem in 2023 too
    assert 'id="type-field-' in body and 'name="problem_type"' in body
    assert "屡查屡犯（2023）" in body
    # typing on: no type field in the answer (the select keeps its focus)
    body = _post(
        client, "1-2", 1, result="non_compliant", points="3", finding="会议无记录，另有"
    ).content.decode()
    assert 'id="type-field-' not in body and 'id="type-notes-' not in body
    # choosing a type: the notes follow it (its wordings), not the field
    meetings = leaf("会议及研究记录不全")
    body = _post(
        client,
        "1-2",
        2,
        result="non_compliant",
        points="3",
        finding="会议无记录，另有",
        problem_type=str(meetings.pk),
    ).content.decode()
    assert 'id="type-field-' not in body and 'id="type-notes-' in body
    assert "分管领导听取工作汇报及研究部署工作无会议记录或记录不完整。" in body
    assert (
        Assessment.objects.get(audit=two_years, standard=standard("1-2", 2024)).problem_type
        == meetings
    )
    # no longer a problem: the field goes
    body = _post(client, "1-2", 3, result="compliant").content.decode()
    assert 'id="type-field-' in body and 'name="problem_type"' not in body


def test_a_type_not_in_the_list_is_refused_on_the_page(client_for, two_years, manager):
    response = _post(
        client_for("manager"),
        "1-2",
        0,
        result="non_compliant",
        points="3",
        finding="x",
        problem_type=str(ProblemType.objects.get(name="财务管理").pk),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "请从列表中选择问题类型。" in body and 'data-field="problem_type"' in body


def test_the_report_and_the_circular_name_type_and_recurrence(two_years, manager):
    from checklist.services import submit_audit
    from checklist.tests.helpers import score_everything
    from reports import data, excel
    from reports.services import finalize_and_issue

    score_everything(two_years, manager, shortfalls=("3-5", "2-1"))
    Assessment.objects.filter(audit=two_years, standard=standard("3-5", 2024)).update(
        problem_type=leaf("审批手续不全")
    )
    report = data.agency_report(two_years)
    lines = {line.code: line for line in report["problems"]}
    assert lines["3-5"].problem_type == "财务管理 › 审批手续不全"
    assert lines["3-5"].recurring == "屡查屡犯（2023）"
    assert lines["2-1"].recurring == "" and lines["2-1"].problem_type == ""
    submit_audit(audit=two_years, by=manager)
    finalize_and_issue(audit=audit_of("004", 2024), by=manager)
    circular = data.circular(two_years.cycle)
    assert circular["recurring"] == [
        {
            "code": "004",
            "agency": two_years.agency.name,
            "standard": "3-5",
            "problem_type": "财务管理 › 审批手续不全",
            "years": "2023",
        }
    ]
    from reports import pdf

    html = pdf.circular_html(circular)
    assert "屡查屡犯的问题" in html and "财务管理 › 审批手续不全" in html
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(excel.circular_xlsx(circular)))
    sheet = book["屡查屡犯"]
    assert [c.value for c in sheet[2]] == [
        "004",
        two_years.agency.name,
        "3-5",
        "财务管理 › 审批手续不全",
        "2023",
    ]


# Kept by an administrator, imported from Excel


def test_the_administrator_imports_the_tree_and_its_wordings_from_excel(client_for, db):
    from audit_portal.tests.spreadsheet_helpers import confirm, upload_for_preview, xlsx_upload

    client = client_for("administrator")
    url = "/admin/checklist/problemtype/import/"
    upload = xlsx_upload(
        ["上级类型", "类型名称", "顺序", "关键词"],
        [
            ["", "制度建设", 1, ""],
            ["制度建设", "制度缺失", 1, "制度、办法"],
            ["", "财务管理", 2, ""],
        ],
    )
    confirm(client, url, upload_for_preview(client, url, upload))
    assert str(ProblemType.objects.get(name="制度缺失")) == "制度建设 › 制度缺失"
    assert ProblemType.objects.get(name="制度缺失").keyword_list() == ["制度", "办法"]

    url = "/admin/checklist/wording/import/"
    upload = xlsx_upload(
        ["问题类型", "用于", "常用表述", "顺序"],
        [
            ["制度建设 › 制度缺失", "问题描述", "未建立相关制度。", 1],
            ["制度建设 › 制度缺失", "整改要求", "建立制度。", 1],
        ],
    )
    confirm(client, url, upload_for_preview(client, url, upload))
    assert list(
        Wording.objects.filter(problem_type__name="制度缺失").values_list("kind", "text")
    ) == [("finding", "未建立相关制度。"), ("rectification", "建立制度。")]


def test_an_unknown_parent_or_type_is_named_in_the_preview(client_for, db):
    from audit_portal.tests.spreadsheet_helpers import upload_for_preview, xlsx_upload

    client = client_for("administrator")
    body = upload_for_preview(
        client,
        "/admin/checklist/problemtype/import/",
        xlsx_upload(["上级类型", "类型名称", "顺序", "关键词"], [["没有这个", "子类型", 1, ""]]),
    ).content.decode()
    assert "没有名为没有这个的一级问题类型" in body and 'name="import_file_name"' not in body
    body = upload_for_preview(
        client,
        "/admin/checklist/wording/import/",
        xlsx_upload(["问题类型", "用于", "常用表述", "顺序"], [["甲 › 乙", "问题描述", "x", 1]]),
    ).content.decode()
    assert "没有问题类型“甲 › 乙”" in body
    assert not ProblemType.objects.exists() and not Wording.objects.exists()


def _rows():
    """The 问题库's rows: (year, agency, standard, type, recurring) of each."""
    return {
        (p.year, p.agency.code, p.standard.code, p.problem_type_id, p.recurring)
        for p in Problem.objects.select_related("agency", "standard__category")
    }


def _live():
    """The same, worked out from the assessments as the scoring page does."""
    found = set()
    for audit in Audit.objects.filter(assessments__result__in=problems.PROBLEM_RESULTS).distinct():
        recurring = problems.recurring(audit)
        for a in Assessment.objects.filter(audit=audit, result__in=problems.PROBLEM_RESULTS):
            found.add(
                (
                    audit.cycle.year,
                    audit.agency.code,
                    a.standard.code,
                    a.problem_type_id,
                    a.standard_id in recurring,
                )
            )
    return found


def test_every_save_keeps_the_problem_rows_in_step(two_years, manager):
    problems.refresh([two_years.agency_id])  # after the fixture's tagging in bulk
    approval = leaf("审批手续不全")
    assert (2023, "004", "3-5", approval.pk, False) in _rows()
    _problem(two_years, "2-3", manager)  # the same line (its text changed): recurring
    assert (2024, "004", "2-3", None, True) in _rows()
    saved = _problem(two_years, "3-1", manager)
    assert (2024, "004", "3-1", None, False) in _rows()
    _problem(two_years, "3-1", manager, problem_type=str(approval.pk))  # the type: recurring
    assert (2024, "004", "3-1", approval.pk, True) in _rows()
    assert Problem.objects.get(pk=saved.pk).line == standard("3-1").pk  # its first version
    save(two_years, "2-3", manager, result=Result.COMPLIANT)  # no longer a problem: gone
    assert not any(r[:3] == (2024, "004", "2-3") for r in _rows())
    assert _rows() == _live()


def test_a_problem_changed_in_an_earlier_cycle_changes_the_later_ones(library, manager):
    first = _problem(audit_of("004"), "1-2", manager)
    next_cycle(manager)
    _problem(audit_of("004", 2024), "1-2", manager)
    assert (2024, "004", "1-2", None, True) in _rows()
    save(audit_of("004"), "1-2", manager, result=Result.COMPLIANT, version=first.version)
    assert (2024, "004", "1-2", None, False) in _rows()
    assert _rows() == _live()


def test_a_deleted_audit_takes_its_problems_and_their_recurrence_along(library, manager):
    _problem(audit_of("004"), "1-2", manager)
    next_cycle(manager)
    _problem(audit_of("004", 2024), "1-2", manager)
    assert (2024, "004", "1-2", None, True) in _rows()
    audit_of("004").delete()  # as the admin deletes an audit never finalized
    assert {r[0] for r in _rows() if r[1] == "004"} == {2024}
    assert (2024, "004", "1-2", None, False) in _rows()
    assert _rows() == _live()


def test_refresh_problems_rebuilds_every_row(two_years, manager, capsys):
    from django.core.management import call_command

    _problem(two_years, "1-2", manager)
    _problem(two_years, "3-1", manager, problem_type=str(leaf("审批手续不全").pk))
    expected = _live()
    Problem.objects.all().delete()
    Problem.objects.create(  # a stale row the rebuild removes
        assessment=Assessment.objects.get(audit=audit_of("007"), standard=standard("1-2")),
        audit=audit_of("007"),
        agency=audit_of("007").agency,
        year=2023,
        category=standard("1-2").category,
        standard=standard("1-2"),
        line=0,
    )
    call_command("refresh_problems")
    assert _rows() == expected and len(expected) == 6
    assert "问题库已重建：6 个问题。" in capsys.readouterr().out


def test_a_save_that_does_not_change_a_problem_leaves_the_rows_alone(two_years, manager):
    saved = _problem(two_years, "1-2", manager)
    with CaptureQueriesContext(connection) as captured:
        _problem(two_years, "1-2", manager, finding="补充说明")  # still a problem, same type
    assert not [q for q in captured.captured_queries if 'checklist_problem"' in q["sql"]]
    assert Problem.objects.filter(pk=saved.pk).exists()


def test_refresh_outside_a_transaction_takes_one_of_its_own(seeded_transactional_db, two_years):
    """``manage.py refresh_problems`` and a test's setup call it in autocommit: the lock it
    takes first needs a transaction (PostgreSQL refuses ``select_for_update`` without)."""
    problems.refresh([two_years.agency_id])
    assert _rows() == _live()
