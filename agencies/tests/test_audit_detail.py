from agencies.models import Audit


def test_it_shows_the_29_standards_grouped_by_category(client_for):
    response = client_for("auditor").get("/cycles/2023/agencies/004/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "朝阳" in body and "004" in body
    categories = list(response.context["categories"])
    assert [c.name for c in categories] == ["组织机构管理", "业务管理", "财务管理"]
    assert sum(len(c.standards.all()) for c in categories) == 29
    assert body.index("组织机构管理") < body.index("业务管理") < body.index("财务管理")
    assert "代办处（经办机构）组织健全，建立互助保障工作管理办法。" in body
    assert "仅限非直投代办处" in body


def test_it_shows_the_ten_required_documents(client_for):
    response = client_for("staff004").get("/cycles/2023/agencies/004/")
    documents = list(response.context["required_documents"])
    assert [d.number for d in documents] == list(range(1, 11))
    body = response.content.decode()
    assert "2022年总账、明细账及现金、银行存款日记账和全年会计凭证" in body
    assert "稽核前需准备的资料" in body


def test_agency_staff_reach_their_own_agency(client_for):
    response = client_for("staff007").get("/cycles/2023/agencies/007/")
    assert response.status_code == 200
    assert "怀柔" in response.content.decode()


def test_agency_staff_cannot_open_another_agencys_audit(client_for):
    response = client_for("staff004").get("/cycles/2023/agencies/007/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "怀柔" not in body


def test_it_names_the_assigned_auditors(client_for, cycle, auditor):
    Audit.objects.get(cycle=cycle, agency__code="004").auditors.add(auditor)
    body = client_for("staff004").get("/cycles/2023/agencies/004/").content.decode()
    assert auditor.full_name in body


def test_unknown_code_or_year_is_a_chinese_404(client_for):
    for url in ("/cycles/2023/agencies/999/", "/cycles/2024/agencies/004/"):
        response = client_for("manager").get(url)
        assert response.status_code == 404
        assert "页面不存在" in response.content.decode()


def _finalize_004(auditor, manager):
    from checklist import services
    from checklist.tests.helpers import audit_of, score_everything

    audit = audit_of("004")
    audit.auditors.add(auditor)
    score_everything(audit, auditor, shortfalls={"2-3"})
    services.submit_audit(audit=audit, by=auditor)
    return audit


def test_agency_staff_see_no_scores_before_finalization(client_for, auditor, manager):
    _finalize_004(auditor, manager)
    body = client_for("staff004").get("/cycles/2023/agencies/004/").content.decode()
    assert 'data-testid="scores"' not in body
    assert "2-3 的问题" not in body
    assert "办事处定稿后，稽核结果将在此显示" in body


def test_agency_staff_see_the_final_total_grade_and_findings(client_for, auditor, manager):
    from checklist import services

    audit = _finalize_004(auditor, manager)
    services.finalize_audit(audit=audit, by=manager)
    body = client_for("staff004").get("/cycles/2023/agencies/004/").content.decode()
    assert 'data-testid="scores"' in body
    assert 'data-testid="total">97.9<' in body
    assert "优秀" in body
    assert "2-3 的问题" in body and "限期整改" in body
    assert "复核与定稿" not in body  # the office's workflow is not theirs


def test_office_staff_see_scores_so_far_and_the_record(client_for, auditor, manager):
    _finalize_004(auditor, manager)
    body = client_for("manager").get("/cycles/2023/agencies/004/").content.decode()
    assert "当前得分" in body and "定稿" in body and "提交复核" in body


def test_it_says_when_the_agencys_direct_or_indirect_mode_is_not_set(client_for):
    from agencies.models import Agency, FundingMode

    body = client_for("auditor").get("/cycles/2023/agencies/004/").content.decode()
    mode = body[body.index('data-testid="funding-mode"') :][:400]
    assert "未设定" in mode and "3-7" in mode

    overview = client_for("manager").get("/cycles/2023/").content.decode()
    banner = overview.split('data-testid="mode-unset-banner"')[1].split("</div>")[0]
    assert "50 个代办处尚未设置直投／非直投" in banner and "3-7" in banner
    assert "直投／非直投未设置" not in overview  # said once above the list, not on each row

    Agency.objects.filter(code="004").update(funding_mode=FundingMode.DIRECT)
    body = client_for("auditor").get("/cycles/2023/agencies/004/").content.decode()
    mode = body[body.index('data-testid="funding-mode"') :][:200]
    assert "直投" in mode and "未设定" not in mode
    overview = client_for("manager").get("/cycles/2023/").content.decode()
    assert "49 个代办处尚未设置直投／非直投" in overview
    unset = client_for("manager").get("/cycles/2023/?mode=unset").content.decode()
    assert 'data-code="004"' not in unset and 'data-code="007"' in unset
    assert unset.count("<tr data-code=") == 49 and "显示全部代办处" in unset
    Agency.objects.update(funding_mode=FundingMode.INDIRECT)
    overview = client_for("manager").get("/cycles/2023/").content.decode()
    assert 'data-testid="mode-unset-banner"' not in overview


def test_an_old_unchecked_report_number_format_does_not_break_the_page(client_for, auditor):
    from agencies.models import Cycle
    from reports.tests.helpers import scored_and_submitted

    scored_and_submitted("004", auditor)
    Cycle.objects.filter(year=2023).update(report_number_format="稽核{编码}号")
    response = client_for("manager").get("/cycles/2023/agencies/004/")
    assert response.status_code == 200
    assert response.context["next_report_number"] == "—"
