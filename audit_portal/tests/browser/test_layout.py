"""Layout at the widths offices use: the menu folds rather than breaking its items over two
lines, the security log's target column keeps room, the ledger's dates and headers stay on
one line."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit_portal.testing import persona_user
from rectification.models import RectificationItem
from rectification.tests.helpers import finalized

pytestmark = [pytest.mark.browser, pytest.mark.one_database]


def _lines(page, selector) -> list[tuple[str, int]]:
    """Each visible element's text and the number of lines it is set on."""
    return page.eval_on_selector_all(
        selector,
        """els => els.filter(e => e.offsetParent).map(e => {
             const range = document.createRange();
             range.selectNodeContents(e);
             const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top / 4)));
             return [e.textContent.trim(), tops.size];
           })""",
    )


@pytest.mark.parametrize("width", [768, 1024])
def test_below_1200_px_the_menu_folds_behind_its_button(browser_for, portal, width):
    manager = browser_for("manager", width=width)
    assert manager.get_by_role("button", name="菜单").is_visible()
    assert not manager.locator("#portal-nav").is_visible()
    manager.get_by_role("button", name="菜单").click()
    manager.locator("#portal-nav").get_by_role("link", name="整改台账").wait_for()
    for text, lines in _lines(manager, "#portal-nav .nav-link"):
        assert lines == 1, (text, lines)  # one line each, stacked


@pytest.mark.parametrize("width", [1280, 1366])
def test_at_desktop_width_every_menu_item_is_one_line(browser_for, portal, width):
    manager = browser_for("manager", width=width)
    assert not manager.get_by_role("button", name="菜单").is_visible()
    items = _lines(manager, "#portal-nav .nav-link, #portal-nav .btn")
    assert len(items) >= 6
    for text, lines in items:
        assert lines == 1, (text, lines)


def test_the_security_log_keeps_the_target_readable(browser_for, portal):
    auditor = browser_for("secauditor", width=1366)
    auditor.goto(f"{portal}/security/events/")
    widths = auditor.eval_on_selector_all(
        "td.security-target", "els => els.map(e => e.getBoundingClientRect().width)"
    )
    assert widths and min(widths) >= 280
    height = auditor.evaluate("document.documentElement.scrollHeight")
    rows = len(widths)
    assert height < 400 + rows * 160, (height, rows)


def test_the_ledgers_dates_and_headers_stay_on_one_line(browser_for, portal):
    audit = finalized("004", persona_user("manager"))
    RectificationItem.objects.filter(audit=audit).update(
        deadline=timezone.localdate() + timedelta(days=30),
        finding="抽查管理费支出凭证12笔，其中3笔缺少审批手续；新购笔记本电脑未登记固定资产台账。"
        * 2,
    )
    manager = browser_for("manager", width=1366)
    manager.goto(f"{portal}/cycles/2023/rectification/")
    for selector in (
        "[data-testid=ledger] th:nth-child(1)",  # 序号
        "[data-testid=ledger] th:nth-child(5)",  # 整改期限
        "[data-testid=ledger] td:nth-child(1)",
        "[data-testid=ledger] td:nth-child(5)",
    ):
        found = _lines(manager, selector)
        assert found, selector
        for text, lines in found:
            assert lines == 1, (selector, text, lines)
