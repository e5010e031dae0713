"""The whole scoring journey in a real browser: score, submit, return, finalize, read."""

import re

import pytest
from playwright.sync_api import expect

from agencies.models import Audit, AuditStatus
from audit_portal.testing import persona_user
from audit_portal.tests.browser.navigation import arrive

pytestmark = pytest.mark.browser

SHORTFALLS = {
    "1-2": "会议记录不全，未见分管领导听取汇报的记录",
    "2-3": "内部报案登记簿缺少3月至5月的记录",
}


def _item(page, code):
    return page.locator(".assessment-item").filter(
        has=page.locator(".standard-code", has_text=re.compile(f"^{code}$"))
    )


def _saved(item):
    expect(item.locator(".assessment-status [data-state=saved]")).to_be_visible()


def test_score_submit_return_finalize_and_read(browser_for, portal, seeded_transactional_db):
    Audit.objects.get(agency__code="004").auditors.add(persona_user("auditor"))

    auditor = browser_for("auditor")
    arrive(auditor, f"{portal}/cycles/2023/mine/")
    auditor.get_by_role("link", name="评分").click()
    arrive(auditor, f"{portal}/cycles/2023/agencies/004/scoring/")
    items = auditor.locator(".assessment-item")
    expect(items).to_have_count(29)
    # 朝阳's 直投／非直投 is not set: the page says which standard depends on it
    expect(auditor.get_by_test_id("mode-unset")).to_contain_text("3-7")
    expect(_item(auditor, "3-7").get_by_test_id("scope")).to_have_text("仅限非直投代办处")

    # Asked before submitting: nothing is scored yet, so the dialog lists it and will not submit
    auditor.get_by_role("button", name="提交复核").click()
    dialog = auditor.locator("#confirm-submit")
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-incomplete-list]")).to_contain_text("1-1：请选择结果。")
    expect(dialog.get_by_role("button", name="提交复核")).to_be_disabled()
    dialog.get_by_role("button", name="返回继续评分").click()
    expect(dialog).to_be_hidden()

    codes = items.locator(".standard-code").all_inner_texts()
    for code in codes:
        item = _item(auditor, code)
        if code in SHORTFALLS:
            item.locator("label", has_text=re.compile("^不符合$")).click()
            _saved(item)
            item.get_by_label("得分").fill("4")
            item.get_by_label("问题描述").fill(SHORTFALLS[code])
            item.get_by_label("整改要求").fill("三个月内整改并报送整改报告")
            item.get_by_label("整改要求").blur()
        else:
            item.locator("label", has_text=re.compile("^符合$")).click()
        _saved(item)

    summary = auditor.locator("#score-summary")
    # (27 × 10 + 2 × 4) / 290 = 95.86…
    expect(summary.get_by_test_id("total")).to_have_text("95.9")
    expect(summary.get_by_test_id("grade")).to_have_text("优秀")
    expect(summary).to_contain_text("已评 29 / 29 项标准")
    expect(_item(auditor, "1-2").locator(".assessment-history summary")).to_contain_text("修改记录")

    auditor.get_by_role("button", name="提交复核").click()
    expect(dialog).to_contain_text("所有标准都已完成")
    expect(dialog.get_by_test_id("documents-not-received")).to_contain_text("（未提交）")
    dialog.get_by_role("button", name="提交复核").click()
    expect(auditor.locator(".alert-success")).to_contain_text("待复核")

    manager = browser_for("manager")
    manager.goto(f"{portal}/cycles/2023/agencies/004/")
    manager.get_by_label("退回稽核员（请填写意见）").fill("1-2 请写明缺失的会议日期")
    manager.get_by_role("button", name="退回").click()
    expect(manager.locator(".alert-success")).to_contain_text("稽核中")

    # 已退回, with the comment, who and when, wherever the auditor looks
    for path in ("mine/", "agencies/004/", "agencies/004/scoring/"):
        auditor.goto(f"{portal}/cycles/2023/{path}")
        returned = auditor.get_by_test_id("returned")
        expect(returned).to_contain_text("已退回")
        expect(returned).to_contain_text("1-2 请写明缺失的会议日期")
        expect(returned).to_contain_text("孟主任")
    auditor.goto(f"{portal}/cycles/2023/agencies/004/")
    expect(auditor.locator(".audit-events")).to_contain_text("1-2 请写明缺失的会议日期")
    auditor.goto(f"{portal}/cycles/2023/agencies/004/scoring/")
    finding = _item(auditor, "1-2").get_by_label("问题描述")
    finding.fill(SHORTFALLS["1-2"] + "（2023年3月、6月）")
    finding.blur()
    _saved(_item(auditor, "1-2"))
    auditor.get_by_role("button", name="提交复核").click()
    auditor.locator("#confirm-submit").get_by_role("button", name="提交复核").click()
    expect(auditor.locator(".alert-success")).to_contain_text("待复核")

    manager.reload()
    changed = manager.get_by_test_id("changes-since-return")
    expect(changed).to_contain_text("1-2")
    expect(changed).to_contain_text("（2023年3月、6月）")
    expect(changed).not_to_contain_text("1-1")
    expect(auditor.get_by_test_id("returned")).to_have_count(0)
    manager.get_by_role("button", name="定稿").click()
    finalize = manager.locator("#confirm-finalize")
    expect(finalize).to_contain_text("稽核〔2023〕004号")
    finalize.get_by_role("button", name="定稿并出具 稽核〔2023〕004号").click()
    expect(manager.locator(".alert-success")).to_contain_text("已定稿")
    assert Audit.objects.get(agency__code="004").status == AuditStatus.FINALIZED
    manager.goto(f"{portal}/cycles/2023/")
    expect(manager.locator(".overview-chart figcaption")).to_contain_text("（已定稿 1 个）")

    staff = browser_for("staff004")
    arrive(staff, f"{portal}/cycles/2023/agencies/004/")
    expect(staff.get_by_test_id("grade")).to_have_text("优秀")
    expect(staff.get_by_test_id("total")).to_have_text("95.9")
    expect(staff.locator(".findings")).to_contain_text("（2023年3月、6月）")

    auditor.goto(f"{portal}/cycles/2023/agencies/004/scoring/")
    expect(auditor.get_by_test_id("read-only")).to_contain_text("已定稿")
    expect(auditor.locator("input[name=result]").first).to_be_disabled()
    expect(auditor.locator("textarea[name=finding]").first).to_be_disabled()
    expect(auditor.get_by_role("button", name="提交复核")).to_have_count(0)


def test_scoring_works_with_the_keyboard_alone(browser_for, portal, seeded_transactional_db):
    page = _auditor_scoring_huairou(browser_for, portal)
    item = _item(page, "1-1")

    item.locator("input[name=result]").first.focus()
    page.keyboard.press("Space")
    _saved(item)
    expect(page.locator("#score-summary").get_by_test_id("total")).to_have_text("100.0")

    page.keyboard.press("ArrowRight")  # 基本符合
    page.keyboard.press("Tab")
    page.keyboard.type("8")
    page.keyboard.press("Tab")
    page.keyboard.type("制度未经审批")
    page.keyboard.press("Tab")
    _saved(item)
    expect(page.locator("#score-summary").get_by_test_id("total")).to_have_text("80.0")
    assert item.locator("input[name=result]:checked").get_attribute("value") == "largely"


def test_the_scoring_page_fits_a_tablet(browser_for, portal, seeded_transactional_db):
    Audit.objects.get(agency__code="007").auditors.add(persona_user("auditor"))
    page = browser_for("auditor", width=768)
    page.goto(f"{portal}/cycles/2023/agencies/007/scoring/")
    item = _item(page, "2-1")
    item.locator("label", has_text=re.compile("^符合$")).click()
    _saved(item)
    assert page.evaluate("document.documentElement.scrollWidth") <= 768


def _saved_by_the_auditor_first(browser_for, portal):
    """The auditor and a manager on 怀柔's scoring page; the auditor saves 1-1 as 符合 first.
    Returns both pages and the manager's now outdated 1-1."""
    Audit.objects.get(agency__code="007").auditors.add(persona_user("auditor"))
    first = browser_for("auditor")
    second = browser_for("manager")
    for page in (first, second):
        page.goto(f"{portal}/cycles/2023/agencies/007/scoring/")
    _item(first, "1-1").locator("label", has_text=re.compile("^符合$")).click()
    _saved(_item(first, "1-1"))
    return first, second, _item(second, "1-1")


@pytest.mark.both_databases
def test_two_auditors_on_one_standard_see_each_others_save(
    browser_for, portal, seeded_transactional_db
):
    first, _second, mine = _saved_by_the_auditor_first(browser_for, portal)
    mine.locator("label", has_text=re.compile("^不符合$")).click()
    conflict = mine.locator("[data-state=conflict]")
    expect(conflict).to_contain_text("艾稽核")
    expect(conflict).to_contain_text("对方的内容没有被覆盖")
    expect(conflict).to_contain_text("结果：符合")

    conflict.get_by_role("button", name="采用对方的版本").click()
    expect(mine.locator("input[name=result][value=compliant]")).to_be_checked()
    expect(mine.locator(".assessment-status")).to_contain_text("艾稽核")

    mine.locator("label", has_text=re.compile("^基本符合$")).click()
    mine.get_by_label("得分").fill("9")
    mine.get_by_label("问题描述").fill("制度未更新")
    mine.get_by_label("问题描述").blur()
    _saved(mine)
    first.reload()
    expect(_item(first, "1-1").get_by_label("问题描述")).to_have_value("制度未更新")


def _auditor_scoring_huairou(browser_for, portal):
    """An auditor assigned to 怀柔 (007), on its scoring page."""
    Audit.objects.get(agency__code="007").auditors.add(persona_user("auditor"))
    page = browser_for("auditor")
    page.goto(f"{portal}/cycles/2023/agencies/007/scoring/")
    return page


def test_a_failed_save_says_so_and_can_be_retried(browser_for, portal, seeded_transactional_db):
    page = _auditor_scoring_huairou(browser_for, portal)
    item = _item(page, "1-3")

    page.route("**/scoring/1-3/", lambda route: route.abort())
    item.locator("label", has_text=re.compile("^符合$")).click()
    expect(item.locator("[data-state=failed]")).to_contain_text("无法连接服务器")

    page.unroute("**/scoring/1-3/")
    item.get_by_role("button", name="重试").click()
    _saved(item)
    assert Audit.objects.get(agency__code="007").assessments.get().result == "compliant"


def test_points_the_browser_refuses_say_so_and_the_rest_still_saves(
    browser_for, portal, seeded_transactional_db
):
    from checklist.models import Assessment

    page = _auditor_scoring_huairou(browser_for, portal)
    item = _item(page, "1-4")
    item.locator("label", has_text=re.compile("^基本符合$")).click()
    _saved(item)
    for wrong in ("12", "-1", "3.55"):
        item.get_by_label("得分").fill(wrong)
        item.get_by_label("问题描述").fill(f"制度缺失 {wrong}")
        item.get_by_label("问题描述").blur()
        failed = item.locator(".assessment-status [data-state=failed]")
        expect(failed).to_contain_text("分数未保存：须在 0 到 10 之间")
        expect(failed).to_contain_text("其他内容已保存")
        expect(item.get_by_label("得分")).to_have_class(re.compile("is-invalid"))
        expect(item.get_by_label("得分")).to_have_value(wrong)  # what was typed stays
        saved = Assessment.objects.get(audit__agency__code="007", standard__number=4)
        assert (saved.finding, saved.points) == (f"制度缺失 {wrong}", None)

    item.get_by_label("得分").fill("7.5")
    item.get_by_label("得分").blur()
    _saved(item)
    expect(item.get_by_label("得分")).not_to_have_class(re.compile("is-invalid"))


def _stored(condition, seconds=10):
    """Wait until the database shows what an autosave should have stored."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the autosave did not arrive"
        time.sleep(0.1)


def test_text_over_its_limit_is_counted_named_and_never_lost(
    browser_for, portal, seeded_transactional_db
):
    from checklist.models import Assessment

    def _assessment():
        return Assessment.objects.get(audit__agency__code="007", standard__number=5)

    page = _auditor_scoring_huairou(browser_for, portal)
    item = _item(page, "1-5")
    item.locator("label", has_text=re.compile("^不符合$")).click()
    _saved(item)
    finding = item.get_by_label("问题描述")
    finding.fill("查" * 4100)
    expect(item.locator(".length-counter")).to_have_text("4100 / 5000 字")
    finding.blur()
    _stored(lambda: len(_assessment().finding) == 4100)
    finding.fill("查" * 5003)
    item.get_by_label("整改要求").fill("限期补齐")
    item.get_by_label("整改要求").blur()
    failed = item.locator(".assessment-status [data-state=failed]")
    expect(failed).to_contain_text("问题描述未保存：最多 5000 字，现在是 5003 字")
    expect(item.locator(".length-counter")).to_contain_text("超出 3 字")
    assert "刷新" not in failed.text_content()
    saved = _assessment()
    assert (len(saved.finding), saved.rectification) == (4100, "限期补齐")
    expect(finding).to_have_value("查" * 5003)


def test_a_refusal_by_the_server_is_said_in_chinese(browser_for, portal, seeded_transactional_db):
    page = _auditor_scoring_huairou(browser_for, portal)
    item = _item(page, "1-6")
    page.route("**/scoring/1-6/", lambda route: route.fulfill(status=403, body="denied"))
    item.locator("label", has_text=re.compile("^符合$")).click()
    expect(item.locator("[data-state=failed]")).to_contain_text("您现在无权修改这项评分")
    page.unroute("**/scoring/1-6/")
    page.route("**/scoring/1-6/", lambda route: route.fulfill(status=502, body="bad gateway"))
    item.get_by_role("button", name="重试").click()
    expect(item.locator("[data-state=failed]")).to_contain_text("服务器出错（答复 502）")


@pytest.mark.both_databases
def test_choosing_a_version_in_the_conflict_box_works_on_the_first_click(
    browser_for, portal, seeded_transactional_db
):
    from checklist.models import Assessment

    _first, _second, mine = _saved_by_the_auditor_first(browser_for, portal)
    mine.get_by_label("整改要求").fill("我的整改要求")
    conflict = mine.locator("[data-state=conflict]")
    expect(conflict).to_be_visible()
    # more typing while the conflict is shown, then straight to the button: the text
    # field's own change (with the old version) must not bring the conflict back
    mine.get_by_label("整改要求").fill("我的整改要求（补充）")
    conflict.get_by_role("button", name="用我的内容覆盖").click()
    _saved(mine)
    expect(mine.locator("[data-state=conflict]")).to_have_count(0)
    saved = Assessment.objects.get(audit__agency__code="007", standard__number=1)
    assert saved.rectification == "我的整改要求（补充）"


FOCUSED_STANDARD = (
    "(() => { const item = document.activeElement.closest('.assessment-item');"
    " return item ? item.querySelector('.standard-code').textContent.trim() : null; })()"
)


def test_keyboard_focus_stays_in_a_standard_that_is_loaded_again(
    browser_for, portal, seeded_transactional_db
):
    _first, second, mine = _saved_by_the_auditor_first(browser_for, portal)
    mine.locator("label", has_text=re.compile("^不符合$")).click()
    button = mine.locator("[data-state=conflict]").get_by_role("button", name="采用对方的版本")
    button.focus()
    second.keyboard.press("Enter")  # the standard's block is replaced by the saved version
    expect(mine.locator("input[name=result][value=compliant]")).to_be_checked()
    expect(mine.locator("[data-state=conflict]")).to_have_count(0)
    assert second.evaluate(FOCUSED_STANDARD) == "1-1"


def test_keyboard_focus_stays_on_the_file_just_cited(browser_for, portal, seeded_transactional_db):
    from evidence import services
    from evidence.models import RequiredDocument, evidence_storage

    audit = Audit.objects.get(agency__code="007", cycle__year=2023)
    stored = [
        services.store_bytes(
            audit=audit,
            document=RequiredDocument.objects.get(cycle=audit.cycle, number=number),
            name=f"资料{number}.pdf",
            content=b"%PDF-1.4 focus",
            by=persona_user("staff007"),
        )
        for number in (1, 2)
    ]
    try:
        page = _auditor_scoring_huairou(browser_for, portal)
        item = _item(page, "1-1")
        item.locator(".assessment-evidence summary").click()
        # the files' form is in and htmx has taken it over (its change then saves)
        page.wait_for_function(
            "() => { const form = document.querySelector('.evidence-editor form');"
            " return !!(form && form['htmx-internal-data']); }"
        )
        second_file = item.get_by_label(re.compile("资料2.pdf"))
        second_file.focus()
        page.keyboard.press("Space")  # the files' form is replaced by the saved one
        expect(item.locator("[data-state=evidence-saved]")).to_be_visible()
        assert page.evaluate("document.activeElement.value") == str(stored[1].pk)
        assert page.evaluate("document.activeElement.checked") is True
        page.keyboard.press("Shift+Tab")  # the keyboard goes on from there
        assert page.evaluate("document.activeElement.value") == str(stored[0].pk)
    finally:
        for file in stored:
            evidence_storage().delete(file.key)


def test_every_control_shows_a_focus_ring(browser_for, portal, seeded_transactional_db):
    page = _auditor_scoring_huairou(browser_for, portal)
    page.keyboard.press("Tab")  # the keyboard in use: :focus-visible applies from here on
    rings = {
        "a.btn": "a.btn",
        "button.btn": "button.btn",
        "input[name=result]": "input[name=result] + label",  # the label is the visible part
        "textarea": "textarea",
        "a:not(.btn)[href]": "a:not(.btn)[href]",
    }
    for focused, shown in rings.items():
        page.locator(f"main {focused}").first.focus()
        ring = page.locator(f"main {shown}").first.evaluate(
            "el => { const s = getComputedStyle(el);"
            " return {style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"
        )
        assert ring["style"] != "none" and ring["width"] >= 2, (focused, ring)
