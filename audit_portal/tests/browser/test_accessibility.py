"""axe-core (bundled in vendor/, never from a CDN) over every page each persona reaches.

GB/T 37668-2019 asks for WCAG 2.1 AA: each persona signs in, opens every page of the
permission matrix that it may see and every page linked from those (the demo data's states:
a finalized audit with its report and rectification, one under way, a self-assessment), and
axe-core's WCAG 2 A/AA rules must find nothing on any of them. Django's own admin pages are
left out: their look is Django's.

A page whose content (``main``) and frame (the bar, the footer) both passed already, each on
a page of its own, is not checked again: pages of the same form (every element and
attribute alike, but addresses, values and words) get the same verdict. The crawl took a
quarter of the SQLite run before.
"""

import os
import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from audit_portal.testing import PERSONA_NAMES, persona_user

from ..test_permission_matrix import ROWS
from .conftest import _sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.one_database,
    pytest.mark.usefixtures("untraced"),
]

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# not pages: downloads, the admin (Django's look), signing out, files
# and the API (JSON; its docs page is Swagger UI's look, served as it comes)
LEFT_OUT = re.compile(
    r"^/(admin|static|media|api)/|/logout/|\.(pdf|xlsx|zip|csv)$|/files/|/download/"
)
# a page at most this often per URL pattern (50 agencies' pages are one page 50 times)
PER_PATTERN = 2


class _Quiet:
    def write(self, text):
        return len(text)


@pytest.fixture(scope="module")
def portal(django_db_setup, django_db_blocker):
    """The demo data (finalized 朝阳 with its report and rectification, 怀柔 under way) and
    the persona "assigned" as one of 朝阳's auditors, served by a server of the module's own.

    Built once for all the personas' crawls, which only read (a crawl follows links, it
    never posts): the database is committed to, so the module keeps it unblocked for its
    tests and leaves it as a transactional test would find it (the seed, nothing else).
    pytest-django's own live_server would empty the database after each test (it makes a
    test transactional) and so rebuild the demo data ten times."""
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    from audit_portal.testing import seed_database
    from checklist.tests.helpers import audit_of
    from evidence.models import EvidenceFile, evidence_storage
    from security.events import record
    from security.models import Kind, SecurityEvent
    from security.views import PAGE_SIZE

    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        seed_database()
        with override_settings(DEBUG=True):  # the demo commands refuse otherwise
            call_command("create_demo_accounts", stdout=_Quiet())
            call_command("create_demo_data", stdout=_Quiet())
        audit_of("004").auditors.add(persona_user("assigned"))
        # the security log longer than a page, so that its pager is crawled too
        for _ in range(PAGE_SIZE + 1 - SecurityEvent.objects.count()):
            record(Kind.DENIED, username="crawler", target="/cycles/2023/", status=403)
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server.url
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            for file in EvidenceFile.objects.all():
                evidence_storage().delete(file.key)
            call_command("flush", interactive=False, verbosity=0)
            seed_database()


def violations(page) -> list[str]:
    """axe-core's WCAG 2 A/AA violations on the page as it is, one line per rule, naming the
    first few elements."""
    page.evaluate(AXE_SOURCE)  # evaluated by the browser's debugger, outside the page's CSP
    result = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'tag', values: rules}, resultTypes: ['violations']})",
        WCAG_AA,
    )
    lines = []
    for rule in result["violations"]:
        targets = [" ".join(node["target"]) for node in rule["nodes"][:3]]
        summaries = {
            re.sub(r"\s+", " ", node.get("failureSummary", ""))[:200] for node in rule["nodes"]
        }
        lines.append(f"{rule['id']} ×{len(rule['nodes'])}: {targets} — {' | '.join(summaries)}")
    return lines


# A part's form, without its words: every element with its attributes (but where links and
# forms point, the values fields hold, and numbers), and whether it holds text of its own.
# Two parts of one form get the same verdict from axe-core's rules, which judge elements,
# their attributes, styles and whether they have names, not what the words say.
FORM_OF_PAGE = """(part) => {
  const skip = new Set(["href", "action", "value", "nonce", "content", "datetime", "data-url"]);
  const parts = [];
  const root = part === "main" ? document.querySelector("main") : document.body;
  const inMain = el => part !== "main" && el.closest("main");
  if (!root) return "";
  for (const el of root.querySelectorAll("*")) {
    if (inMain(el)) continue;
    const attrs = [...el.attributes]
      .filter(a => !skip.has(a.name))
      .map(a => a.name + "=" + a.value.replace(/[0-9]+/g, "#"))
      .sort()
      .join(" ");
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    parts.push(el.tagName + "[" + attrs + "]" + (text ? "t" : ""));
  }
  return parts.join("\\n");
}"""
CHECKED_MAINS: set[str] = set()
CHECKED_FRAMES: set[str] = set()


def _seeds(persona) -> list[str]:
    """The matrix's pages this persona may open (those without an object id to fill in)."""
    return [
        case.url
        for cases in ROWS.values()
        for case in cases
        if case.method == "get" and case.expected.get(persona) == 200 and "{" not in case.url
    ]


def _pattern(path: str, query: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return f"{match.view_name}?{'&'.join(keys)}"


def crawl(page, portal, persona, check) -> list[str]:
    """Every page reached from the persona's seeds by links, each checked by ``check``."""
    queue = deque(["/", *_seeds(persona)])
    seen, per_pattern, visited = set(), {}, []
    while queue:
        url = queue.popleft()
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if target in seen or LEFT_OUT.search(parts.path):
            continue
        seen.add(target)
        pattern = _pattern(parts.path, parts.query)
        if pattern is None or per_pattern.get(pattern, 0) >= PER_PATTERN:
            continue
        # each page fetched once: by the browser, which shows it for axe-core to check
        try:
            response = page.goto(portal + target)
        except PlaywrightError:  # a download, not a page
            continue
        if (
            response is None
            or response.request.redirected_from is not None  # its target is crawled itself
            or response.status != 200
            or "text/html" not in response.headers.get("content-type", "")
        ):
            continue
        if not response.text().lstrip().lower().startswith("<!doctype"):
            continue  # a fragment that htmx swaps into a page, checked on that page
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        visited.append(target)
        check(target)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            absolute = urlsplit(urljoin(page.url, href))
            if absolute.netloc == urlsplit(portal).netloc:
                queue.append(absolute.path + (f"?{absolute.query}" if absolute.query else ""))
    return visited


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_every_page_passes_axe_core(persona, page, portal):
    if persona != "anonymous":
        _sign_in(page, portal, persona)
    found = {}

    def check(target):
        main, rest = page.evaluate(FORM_OF_PAGE, "main"), page.evaluate(FORM_OF_PAGE, "rest")
        if main in CHECKED_MAINS and rest in CHECKED_FRAMES:
            return  # its content and its frame passed already, each on a page of its own
        lines = violations(page)
        if not lines:
            CHECKED_MAINS.add(main)
            CHECKED_FRAMES.add(rest)
        if lines:
            found[target] = lines

    visited = crawl(page, portal, persona, check)
    assert len(visited) >= (1 if persona == "anonymous" else 3), visited
    report = "\n".join(f"{url}\n  " + "\n  ".join(lines) for url, lines in found.items())
    assert not found, (
        f"axe-core found WCAG 2 A/AA violations on {len(found)} of {len(visited)} pages:\n{report}"
    )


def test_the_manuals_screenshots_are_taken_from_the_demo_data(portal, browser, tmp_path, settings):
    """The 操作手册's pictures (manual/tests/shots.py), taken from the demo data this module
    serves: into a scratch folder in every run, so that a page the manual shows cannot go
    missing unnoticed; into static/manual/ with ``make screenshots``."""
    from manual.tests import shots

    settings.OTP_REQUIRED = False  # as make run (DEBUG) has it
    folder = shots.FOLDER if os.environ.get("MANUAL_SCREENSHOTS") == "write" else tmp_path
    written = shots.take(browser, portal, folder)
    assert sorted(path.name for path in written) == sorted(f"{s.name}.png" for s in shots.SHOTS)
    for path in written:
        header = path.read_bytes()[:24]
        width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
        assert header.startswith(b"\x89PNG") and (width, height) == (1280, 760), path.name
