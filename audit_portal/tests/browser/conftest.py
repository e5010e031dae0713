"""Playwright driving Debian's Chromium (never a downloaded browser: this network has none)."""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from accounts.models import SECOND_FACTOR_ROLES
from audit_portal.testing import (
    PERSONA_PASSWORD,
    PERSONAS,
    code_for,
    persona_user,
    second_factor_of,
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


def pytest_collection_modifyitems(items):
    """A browser test runs once per make test, in the SQLite run (``one_database``): what it
    drives is the pages and their scripts, and the views behind them are tested on both
    databases by the tests that call them directly. A test marked ``both_databases`` runs
    on both: its subject is two people saving one standard, where the database's locking
    decides what each of them sees."""
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("both_databases"):
            item.add_marker(pytest.mark.one_database)


def chromium_path() -> str:
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail("Chromium is not installed (apt-get install chromium); make test installs it.")
    return path


def _watch_for_csp_violations(page) -> list[str]:
    """Console errors from the Content-Security-Policy: something on the page needs fixing."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return violations


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = _watch_for_csp_violations(page)
    yield page
    _screenshots_if_failed(request, [page])
    context.close()
    assert not violations, f"the Content-Security-Policy blocked something: {violations}"


def _screenshots_if_failed(request, pages) -> None:
    """A failed test leaves a picture of each of its pages in test-artifacts/ (taken before
    anything else is checked, so a later assertion cannot skip it)."""
    failed = getattr(request.node, "rep_call", None)
    if failed is None or not failed.failed:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    for number, page in enumerate(pages, start=1):
        suffix = f"-{number}" if len(pages) > 1 else ""
        try:
            page.screenshot(
                path=str(ARTIFACTS / f"{request.node.name}{suffix}.png"), full_page=True
            )
        except Exception as error:
            print(f"no screenshot of page {number}: {error}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def portal(live_server, seeded_transactional_db):
    return live_server.url


def _sign_in(page, portal, persona):
    """The sign-in form, and for the roles that need it the code of the persona's phone."""
    page.goto(f"{portal}/accounts/login/")
    page.get_by_label("用户名").fill(PERSONAS[persona][0])
    page.get_by_label("密码").fill(PERSONA_PASSWORD)
    if PERSONAS[persona][2] in SECOND_FACTOR_ROLES:
        device = second_factor_of(persona_user(persona))
        # a code is taken once: the persona's other windows sign in within the same 30 s
        type(device).objects.filter(pk=device.pk).update(last_t=-1)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{portal}/accounts/two-factor/verify/")
        device.refresh_from_db()
        page.get_by_label("动态口令").fill(code_for(device))
        page.get_by_role("button", name="确认").click()
    else:
        page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith("/accounts/"))


@pytest.fixture
def sign_in(page, portal):
    def sign_in_as(persona: str):
        _sign_in(page, portal, persona)

    return sign_in_as


@pytest.fixture
def browser_for(browser, portal, request):
    """Open a signed-in page for a persona; each may be used side by side with others."""
    contexts = []
    pages = []
    watched: list[list[str]] = []

    def open_as(persona, width=1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        page.set_default_timeout(15_000)
        watched.append(_watch_for_csp_violations(page))
        _sign_in(page, portal, persona)
        # from the 工作台 (tested on its own) to where each journey starts: "/" sends each
        # person to their cycle, their agencies or their agency
        page.goto(f"{portal}/")
        return page

    yield open_as
    _screenshots_if_failed(request, pages)
    for context in contexts:
        context.close()
    blocked = [message for messages in watched for message in messages]
    assert not blocked, f"the Content-Security-Policy blocked something: {blocked}"
