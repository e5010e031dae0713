"""The 操作手册's screenshots: which page, seen by whom, under which name.

Taken from the demo data (``make run``'s sample) by the axe-core crawl's module, which serves
it already: in every test run into a scratch folder (a page or a person gone from the demo
data fails the run), and with ``make screenshots`` into ``static/manual/``, where the
manual reads them. Each is the top of the page at an office laptop's size.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

FOLDER = Path(settings.BASE_DIR) / "static" / "manual"
SIZE = {"width": 1280, "height": 760}


@dataclass(frozen=True)
class Shot:
    name: str
    username: str | None  # a demo account (None: not signed in)
    path: str
    heading: str = ""  # the page scrolled to this heading first (the part the manual explains)


SHOTS = (
    Shot("login", None, "/accounts/login/"),
    Shot("workbench-auditor", "auditor1", "/workbench/"),
    Shot("notifications", "agency004", "/notifications/"),
    Shot("my-audits", "auditor1", "/cycles/2023/mine/"),
    Shot("audit-detail", "auditor1", "/cycles/2023/agencies/007/"),
    Shot("documents-review", "auditor1", "/cycles/2023/agencies/007/documents/"),
    Shot("scoring", "auditor1", "/cycles/2023/agencies/007/scoring/"),
    Shot("rectification-office", "auditor1", "/cycles/2023/agencies/004/rectification/"),
    Shot("agency-home", "agency004", "/cycles/2023/agencies/004/"),
    Shot("notice-receive", "agency007", "/cycles/2023/agencies/007/notice/"),
    Shot("documents-upload", "agency007", "/cycles/2023/agencies/007/documents/"),
    Shot("self-assessment", "agency007", "/cycles/2023/agencies/007/self-assessment/"),
    Shot("draft-reply", "agency004", "/cycles/2023/agencies/004/draft-report/"),
    Shot("rectification-agency", "agency004", "/cycles/2023/agencies/004/rectification/"),
    Shot("overview", "manager", "/cycles/2023/"),
    Shot("notices", "manager", "/cycles/2023/notices/"),
    Shot("document-grid", "manager", "/cycles/2023/documents/"),
    Shot("review", "manager", "/cycles/2023/agencies/026/", heading="复核与定稿"),
    Shot("ledger", "manager", "/cycles/2023/rectification/"),
    Shot("archive", "manager", "/cycles/2022/archive/"),
    Shot("problems", "manager", "/problems/"),
    Shot("next-cycle", "manager", "/cycles/new/"),
    Shot("admin", "admin", "/admin/"),
    Shot("robot", "admin", "/admin/notifications/robot/add/"),
    Shot("accounts", "secadmin", "/security/accounts/"),
    Shot("security-settings", "secadmin", "/security/settings/"),
    Shot("security-log", "secaudit", "/security/events/"),
)


def take(browser, portal: str, folder: Path) -> list[Path]:
    """Every screenshot into ``folder``; the files written. A page that does not answer 200,
    or sends the person elsewhere, fails: the manual would show the wrong page. Taken as
    ``make run`` shows them (no second factor asked: settings.OTP_REQUIRED off)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    host = portal.split("//", 1)[1].split(":", 1)[0]
    for username in dict.fromkeys(shot.username for shot in SHOTS):
        context = browser.new_context(viewport=SIZE, locale="zh-CN")
        if username:
            # signed in as the demo account without its password and code: the pictures
            # show the pages, not the sign-in (which has a picture of its own)
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "domain": host,
                        "path": "/",
                    }
                ]
            )
        page = context.new_page()
        for shot in (s for s in SHOTS if s.username == username):
            response = page.goto(portal + shot.path)
            assert response is not None and response.status == 200, (
                f"{shot.name}: {shot.path} answered {response and response.status}"
            )
            assert page.url == portal + shot.path, f"{shot.name}: sent on to {page.url}"
            if shot.heading:
                page.get_by_role("heading", name=shot.heading).first.evaluate(
                    "heading => window.scrollTo(0, heading.getBoundingClientRect().top + window.scrollY - 16)"
                )
            path = folder / f"{shot.name}.png"
            page.screenshot(path=str(path), animations="disabled", caret="hide")
            written.append(path)
        context.close()
    return written
