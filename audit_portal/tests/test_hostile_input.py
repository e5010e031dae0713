"""Hostile input never gets a server error: every URL pattern, every form field and every query
parameter, as every persona.

The walk is marked ``stricter_database``: ``make test`` runs it once, in the PostgreSQL run,
where hostile values fail first (PostgreSQL refuses a NUL byte in text and an integer beyond
64 bits, and an error aborts the transaction; SQLite stores or compares them). Run it on
SQLite by naming it: ``pytest audit_portal/tests/test_hostile_input.py``.

The walk finds its targets itself, as an attacker with an account would:
- every URL pattern of the project (like the permission matrix) with each hostile value in
  each of its path parameters;
- every form on the pages a persona can open (fields, values and actions parsed from the HTML)
  is sent once with every field hostile and once per field with only that field hostile, the
  others as the page filled them in;
- every query parameter a page links to or asks for in a GET form, plus the ones listed in
  ``QUERY_PARAMETERS`` that no page shows.
A new page, form or parameter is walked without a line here. Any 5xx, or an exception that
escapes a view, fails the test with the request that caused it.
"""

import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from .test_permission_matrix import EVERYONE, ROWS, admin_cases, all_patterns

pytestmark = [pytest.mark.usefixtures("untraced"), pytest.mark.stricter_database]

# Values as they travel in a URL or a form body: already percent-encoded, so that malformed
# encodings ("%zz", a lone "%") arrive exactly as an attacker would send them.
HOSTILE = [
    "%00",  # NUL
    "a%00b",
    "1e30",
    "-1E%2B999999999",  # -1E+999999999
    "NaN",
    "-1",
    "9223372036854775808",  # 2**63: beyond a 64-bit integer
    "1" + "0" * 40,
    quote("²"),  # non-ASCII digits: superscript, Arabic-Indic, full-width
    quote("٣"),
    quote("１２"),
    "9999-12-31",
    "0001-01-01",
    "99999-99-99",
    quote("中") * 10_000,  # 10,000 characters
    quote("\u202eevil\u202c"),  # right-to-left override
    quote("\u200b\u200d\ufeff"),  # zero-width characters
    "%",  # invalid percent-encoding
    "%zz",
    "%ff%fe",
    "%C0%AF",  # overlong UTF-8
    "%ED%A0%80",  # a lone surrogate in UTF-8
]

# One value of each kind, for the walks that send a value per field, parameter or path
# segment (the whole corpus goes into every field at once): the walk stays within a minute.
SAMPLE = [
    "%00",
    "1e30",
    "-1E%2B999999999",
    "9223372036854775808",
    quote("²"),
    "9999-12-31",
    quote("中") * 10_000,
    quote("\u202eevil\u202c"),
    "%zz",
]

# Query parameters that no page links to, by URL name.
QUERY_PARAMETERS = {
    "report_pdf": ["version"],
    "audit_notice_pdf": ["version"],
    "draft_report_pdf": ["version"],
    "archive_page": ["page", "per_page"],
    "cycle_notices": ["page", "per_page"],
    "problems": ["page", "per_page"],
    "notifications": ["page", "per_page"],
    "login": ["next"],
    # the page links show only when a roster is longer than a page
    "cycle_overview": ["page"],
    "document_grid": ["page"],
    # the ledger's two lists page on their own; mine=1 comes from an auditor's 工作台
    "rectification_ledger": ["page", "per_page", "progress_page", "progress_per_page", "mine"],
}

# Forms that sign the persona out: walked last (see the path walk for their URL).
SIGN_OUT = {"logout", "admin:logout"}

# Forms that read no field and start minutes of work (50 reports rendered into a ZIP);
# the path walk sends its hostile values to their URLs.
SLOW_STEPS = {"report_bundle_start"}

# Forms that no page shows in the walk's state (an audit is not finalized and under review
# at once), with their fields.
EXTRA_FORMS = {
    "audit_reopen": ["reason"],
    # the walk's rectification item is submitted: not open to answer, not closed to reopen
    "rectification_answer": ["measures", "responsible", "completed_on", "version", "action"],
    "rectification_reopen": ["reason", "version"],
    "rectification_add_proof": [],
    # "select all that match" shows only when the roster is longer than a page
    "assign_auditors": ["audits", "auditors", "replace", "all_matching", "filter", "next"],
    "rectification_report_issue": [],
    "rectification_extension": ["proposed_deadline", "reason"],
    "rectification_extension_decide": ["decision", "answer"],
    "rectification_remove_proof": [],
    # last year's problems show on the scoring page of a cycle with a previous one
    "rectification_close_carried": ["note", "version"],
    # the preview page of an uploaded work paper
    "workpaper_apply": ["token", "choice-1-2"],
    # shown once the agency has submitted its self-assessment
    "self_assessment_return": ["comment"],
    # shown between the password and the work, to a session that owes a code
    "two_factor_verify": ["code"],
    # shown to the agency's staff once a notice is issued to them
    "audit_notice_receive": [],
    # 征求意见稿: shown once a draft is sent (an audit under review), an objection made;
    # walked with a draft in procedure/tests/test_drafts_hostile.py
    "draft_report": ["action", "opinion"],
    "draft_report_send": [],
    # shown with a notification in the inbox, and while one is unread
    "notification_open": [],
    "notifications_read": [],
    # shown for each of the person's API tokens
    "api_token_revoke": [],
    # shown for a stored package
    "archive_check": [],
    "archive_revoke": ["reason"],
    "objection_answer": [
        "decision",
        "reason",
        "change",
        "result",
        "points",
        "finding",
        "rectification",
        "version",
    ],
}

# The valid value of each path parameter, so that only the one under test is hostile.
VALID_PATH = {"year": "2023", "code": "004", "category": "1", "number": "1", "version": "1"}


@dataclass
class Form:
    action: str
    method: str
    fields: list = field(default_factory=list)  # (name, value) pairs as the page fills them
    files: list = field(default_factory=list)  # names of file inputs

    def key(self):
        """Forms alike (each standard's on the scoring page) are walked once."""
        try:
            match = resolve(urlsplit(self.action).path)
            name = match.url_name or match.route
        except Resolver404:
            name = self.action
        return (name, self.method, tuple(sorted({n for n, _ in self.fields})))


class _PageParser(HTMLParser):
    """The forms and the query parameters of one page."""

    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.query_names: set[str] = set()
        self._form: Form | None = None
        self._by_id: dict[str, Form] = {}
        self._outside: Form | None = None  # the form a field outside it names (form="…")
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "?" in (attrs.get("href") or ""):
            href = attrs["href"]
            if href.startswith(("?", "/")):
                self.query_names.update(name for name, _ in parse_qsl(href.split("?", 1)[1]))
        elif tag == "form":
            action = attrs.get("hx-post") or attrs.get("action") or self.page_url
            method = "post" if "hx-post" in attrs else (attrs.get("method") or "get").lower()
            self._form = Form(action=action, method=method)
            self.forms.append(self._form)
            if attrs.get("id"):
                self._by_id[attrs["id"]] = self._form
        elif tag == "option" and self._select:
            form = self._outside or self._form
            if "selected" in attrs or form.fields[-1] == (self._select, ""):
                form.fields[-1] = (self._select, attrs.get("value", ""))
        elif tag in ("input", "textarea", "select", "button"):
            name = attrs.get("name")
            form = self._by_id.get(attrs.get("form", ""), self._form)
            if not name or form is None:
                return
            self._field(form, tag, name, attrs)

    def _field(self, form, tag, name, attrs):
        if form is not self._form:
            self._outside = form
        kind = (attrs.get("type") or "").lower()
        if tag == "input" and kind == "file":
            form.files.append(name)
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in attrs:
                if (name, "") in form.fields:
                    form.fields.remove((name, ""))
                form.fields.append((name, attrs.get("value", "on")))
            elif name not in {n for n, _ in form.fields}:
                form.fields.append((name, ""))
        elif tag == "textarea":
            self._textarea = name
            form.fields.append((name, ""))
        elif tag == "select":
            self._select = name
            form.fields.append((name, ""))
        else:
            form.fields.append((name, attrs.get("value", "")))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        form = self._outside or self._form
        if form is not None and self._textarea:
            name, value = form.fields[-1]
            form.fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
            self._outside = None
        elif tag == "select":
            self._select = None
            self._outside = None


def _encode(pairs) -> str:
    """A form body or query string from (name, already-encoded value) pairs."""
    return "&".join(f"{quote(name, safe='')}={value}" for name, value in pairs)


def _path_targets(file_id, bundle_id, item_id):
    """(url name, URL with a slot {} for the hostile value, integer slot?) for every path
    parameter of every pattern; of the admin's, one model's (every model's are alike)."""
    valid = VALID_PATH | {
        "file_id": str(file_id),
        "bundle_id": str(bundle_id),
        "pk": str(item_id),
        "item": str(item_id),
    }
    valid |= {"object_id": "1", "content_type_id": "1", "app_label": "agencies", "id": "1"}
    targets = []
    for name, route in all_patterns():
        if route.startswith("admin/") and re.match(r"admin/(?!agencies/agency/)\w+/\w+/", route):
            continue
        params = re.findall(r"<(\w+:)?(\w+)>", route)
        if name is None and not params:
            continue
        for converter, hostile in params:
            url = "/" + route
            for _converter, param in params:
                slot = "{}" if param == hostile else valid[param]
                url = re.sub(rf"<(?:\w+:)?{param}>", slot, url, count=1)
            targets.append((name, url, converter == "int:"))
        if not params:
            # a NUL in a path that takes no parameter
            targets.append(
                (name, "/" + route.rstrip("/") + "{}" + "/" * route.endswith("/"), False)
            )
    return targets


def _accepts(name, method) -> bool:
    """Whether the view answers ``method`` with more than 405 (a wrong method is refused
    before anything is read; the permission matrix checks those)."""
    if name in ROWS:
        return any(
            case.method == method and set(case.expected.values()) != {405} for case in ROWS[name]
        )
    if method == "get" or name is None:
        return True
    return name.endswith(("_add", "_change", "_delete", "_import", "_export"))


def _request(client, method, url, body=None):
    if method == "get":
        return client.get(url)
    return client.post(url, data=body or "", content_type="application/x-www-form-urlencoded")


class Walk:
    def __init__(self, client, persona):
        self.client = client
        self.persona = persona
        self.failures: list[str] = []
        self.requests = 0
        self.seconds: dict[str, float] = {}

    def slowest(self, n=5) -> str:
        return ", ".join(
            f"{k} {v:.1f}s" for k, v in sorted(self.seconds.items(), key=lambda kv: -kv[1])[:n]
        )

    def send(self, method, url, body=None, files=None):
        started = time.monotonic()
        try:
            return self._send(method, url, body, files)
        finally:
            key = f"{method} {url.split('?')[0][:60]}"
            self.seconds[key] = self.seconds.get(key, 0) + time.monotonic() - started

    def _send(self, method, url, body=None, files=None):
        self.requests += 1
        try:
            if files is not None:
                response = self.client.post(url, data=files)
            else:
                response = _request(self.client, method, url, body)
        except Exception as error:  # an exception that escaped the view: the server's 500
            self.failures.append(f"{method.upper()} {url[:200]} body={str(body)[:200]}: {error!r}")
            return None
        if response.status_code >= 500:
            self.failures.append(
                f"{method.upper()} {url[:200]} body={str(body)[:200]}: {response.status_code}"
            )
        return response


def _discover(client_for, pages, item_id, proof_id):
    """The forms and query parameters of the given pages, as the personas who can open them
    (office pages as a manager, the agency's as its staff, the security pages as the security
    administrator and auditor, admin pages as an administrator)."""
    forms: dict = {}
    query_names: dict[str, set] = {}
    for page in pages:
        if page.endswith((".pdf", ".xlsx", ".zip", "/download/")):
            continue  # files, not pages
        admin = page.startswith("/admin/")
        personas = ("manager", "staff004", "secadmin", "secauditor")
        for persona in ("administrator",) if admin else personas:
            response = client_for(persona).get(page)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = _PageParser(page)
            parser.feed(response.content.decode())
            for form in parser.forms:
                forms.setdefault(form.key(), form)
            names = parser.query_names | {
                name for form in parser.forms if form.method == "get" for name, _ in form.fields
            }
            query_names.setdefault(page, set()).update(names)
    for name, fields in EXTRA_FORMS.items():
        for args in (
            [],
            [item_id],
            [2023, "004"],
            [2023, "004", item_id],
            [2023, "004", item_id, proof_id],
            [2023],
        ):
            try:
                action = reverse(name, args=args)
                break
            except NoReverseMatch:
                continue
        form = Form(action, "post", [(f, "") for f in fields])
        forms.setdefault(form.key(), form)
    return forms, query_names


_DISCOVERED: dict = {}


def _discovered(client_for, pages, item_id, proof_id):
    """``_discover`` once per run for the same pages and ids: every persona's test walks
    the forms found on the same pages (as the same four personas) in the same state, and
    finding them took 8 of each test's 20-40 seconds."""
    key = (tuple(pages), item_id, proof_id)
    if key not in _DISCOVERED:
        _DISCOVERED[key] = _discover(client_for, pages, item_id, proof_id)
    return _DISCOVERED[key]


def _pages(file_id, bundle_id, item_id, proof_id, export_id, user_id):
    """Every page the permission matrix opens with a GET, admin pages included."""
    urls = [case.url for cases in ROWS.values() for case in cases if case.method == "get"]
    urls += [case.url for _name, case in admin_cases()]
    return sorted(
        {
            url.format(
                file=file_id,
                bundle=bundle_id,
                item=item_id,
                proof=proof_id,
                export=export_id,
                user=user_id,
            )
            for url in urls
        }
    )


@pytest.fixture(autouse=True)
def same_ids_in_every_test(db):
    """Every test of the module gets the same ids for the objects its fixtures make, so
    that the forms the first persona's test finds serve the others (see ``_discovered``).
    SQLite takes its ids back when a test's transaction is rolled back; PostgreSQL's
    sequences move on, so they are set back to the rows there are."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)


@pytest.fixture
def targets(
    db,
    manager,
    auditor,
    evidence_file,
    report_bundle,
    circular_export,
    assigned_to_chaoyang,
    rectification_item,
    proof_file,
):
    """Pages, forms and query parameters to walk, found as the personas who can see them."""
    from checklist.services import submit_audit
    from checklist.tests.helpers import audit_of, save, score_everything

    # so that the pages show every form they can: 004 scored in part, 007 under review
    save(audit_of("004"), "1-1", manager, result="largely", points="7", finding="x")
    score_everything(audit_of("007"), manager)
    submit_audit(audit=audit_of("007"), by=manager)
    return _pages(
        evidence_file.pk,
        report_bundle.pk,
        rectification_item.pk,
        proof_file.pk,
        circular_export.pk,
        auditor.pk,
    )


def _refused(response) -> bool:
    """The persona may not use this form at all: nothing it sends reaches the form's logic."""
    if response is None:
        return False
    if response.status_code in (401, 403, 404, 405):
        return True
    return response.status_code == 302 and "login/" in response.get("Location", "")


def _walk_forms(walk, forms):
    """Each form with every field hostile at once; where the persona may use the form, also
    each field alone hostile, the others as the page filled them in."""
    signatures = set()
    for key, form in forms.items():
        if form.method != "post" or key[0] in SIGN_OUT | SLOW_STEPS:
            continue
        admin = form.action.startswith("/admin/")
        valid = [(name, quote(value, safe="")) for name, value in form.fields]
        # Django's CSRF token is Django's to check (the test client does not enforce it).
        names = [n for n in dict.fromkeys(n for n, _ in form.fields) if n != "csrfmiddlewaretoken"]
        response = walk.send("post", form.action, _encode(valid))
        if not names:
            continue  # nothing to be hostile in: the post above is the walk
        if _refused(response):
            for hostile in HOSTILE:
                walk.send("post", form.action, _encode([(name, hostile) for name in names]))
            continue
        for hostile in SAMPLE if admin else HOSTILE:
            walk.send("post", form.action, _encode([(name, hostile) for name in names]))
        if not _one_at_a_time(key[0], "post", walk.persona):
            continue
        signature = (admin, tuple(sorted(names)))
        if admin and signature in signatures:
            continue  # the same admin form of another model (the list pages' action form)
        signatures.add(signature)
        for hostile in SAMPLE:
            for target in names:
                body = [(n, hostile if n == target else v) for n, v in valid]
                walk.send("post", form.action, _encode(body))
        for target in form.files:
            for hostile in SAMPLE:
                name = unquote_lenient(hostile)
                upload = SimpleUploadedFile(name[:300] + ".pdf", b"%PDF-1.4 hostile")
                data = dict(form.fields) | {target: upload}
                walk.send("post", form.action, files=data)


def unquote_lenient(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value, errors="replace")


def _walk_queries(walk, query_names):
    """Every page's parameters all hostile at once; then, where the persona may open the
    page, each parameter alone (the admin's generic ones, such as o, q and _popup, on the
    first page that has them)."""
    seen_admin = set()
    for page, names in query_names.items():
        match = resolve(urlsplit(page).path)
        names = names | set(QUERY_PARAMETERS.get(match.url_name, []))
        base = page.split("?")[0]
        if not names:
            continue
        for hostile in SAMPLE if base.startswith("/admin/") else HOSTILE:
            walk.send("get", f"{base}?{_encode([(n, hostile) for n in sorted(names)])}")
        if _refused(walk.send("get", base)):
            continue  # the persona may not open the page: no parameter reaches its logic
        if not _one_at_a_time(match.url_name, "get", walk.persona):
            continue
        if base.startswith("/admin/"):
            names, seen_admin = names - seen_admin, seen_admin | names
        for hostile in SAMPLE:
            for name in sorted(names):
                walk.send("get", f"{base}?{name}={hostile}")


REFUSALS = {403, 404, 405}


def _refused_here_not_everywhere(name, persona) -> bool:
    """The permission matrix says this persona is refused the URL (403, 404, 405; the
    anonymous visitor also sent to sign in) and another persona is let in. What runs before
    the refusal runs for everyone the same way, so the walk of the persona let in reaches it
    with every hostile value; the refused persona's walk sends one (a NUL, which the
    middleware refuses before the URL is resolved)."""
    cases = ROWS.get(name)
    if not cases:
        return False
    refusals = REFUSALS | ({302} if persona == "anonymous" else set())
    if any(case.expected.get(persona) not in refusals for case in cases):
        return False
    return any(
        status not in REFUSALS and not (other == "anonymous" and status == 302)
        for case in cases
        for other, status in case.expected.items()
    )


# Who walks a form's fields (or a page's parameters) one at a time: the first persona of
# this list whom the permission matrix lets in, who reaches furthest into the view. The
# others let in send the whole corpus at once into every field, as everyone does; the fields
# one at a time again would run the same code with the same values.
DEEPEST_FIRST = [
    "manager",
    "administrator",
    "assigned",
    "staff004",
    "secadmin",
    "secauditor",
    "auditor",
    "staff007",
    "anonymous",
]


def _one_at_a_time(name, method, persona) -> bool:
    cases = [case for case in ROWS.get(name, []) if case.method == method]
    if not cases:
        return True  # not in the matrix (the admin's): everyone who gets in
    for who in DEEPEST_FIRST:
        refusals = REFUSALS | ({302} if who == "anonymous" else set())
        if any(case.expected.get(who, 403) not in refusals for case in cases):
            return who == persona
    return True


# The API's endpoints read a token only (api.auth), never the session (its description and
# docs page, which do, take no path parameter): to them every persona of this walk, signed in
# by a session cookie, is the anonymous caller, answered 401 before the view.
# Two walk its paths: nobody, and one person signed in (the session's middleware runs before
# the API's refusal). The API's endpoints are walked as each persona with a token of their
# own by schemathesis (api/tests/test_openapi.py).
API_SESSION_WALKERS = {"anonymous", "manager"}


@pytest.mark.parametrize("persona", EVERYONE)
def test_hostile_path_parameters_never_get_a_server_error(
    client_for, persona, evidence_file, report_bundle, assigned_to_chaoyang, rectification_item
):
    walk = Walk(client_for(persona), persona)
    for name, url, integer in _path_targets(
        evidence_file.pk, report_bundle.pk, rectification_item.pk
    ):
        if name and name.startswith("api:") and persona not in API_SESSION_WALKERS:
            continue
        # Only digits reach a view through an integer parameter; the rest are 404 at once.
        values = [v for v in HOSTILE if v.isdigit()] + ["%00"] if integer else SAMPLE
        if _refused_here_not_everywhere(name, persona):
            values = ["%00"]
        for hostile in values:
            for method in ("get", "post"):
                if _accepts(name, method):
                    walk.send(method, url.replace("{}", hostile))
    assert not walk.failures, f"{len(walk.failures)} of {walk.requests}:\n" + "\n".join(
        walk.failures[:40]
    )
    print(f"{persona}: {walk.requests} requests")


@pytest.mark.filterwarnings(
    # an admin date filter given a bare date: Django warns and filters on it
    "ignore:DateTimeField .* received a naive datetime:RuntimeWarning"
)
@pytest.mark.parametrize("persona", EVERYONE)
def test_hostile_form_fields_and_query_parameters_never_get_a_server_error(
    client_for, persona, targets, rectification_item, proof_file
):
    if persona != "administrator":
        # Everyone else is sent to sign in before the admin reads anything (see the path walk).
        targets = [page for page in targets if not page.startswith("/admin/")]
    forms, query_names = _discovered(client_for, targets, rectification_item.pk, proof_file.pk)
    if persona == "manager":
        # every portal URL that takes a POST has a form in the walk
        posted = {name for name, method, _fields in forms if method == "post"}
        # (the API's JSON bodies are walked by schemathesis, api/tests/test_openapi.py, in its
        # negative mode: values its description refuses, as each persona with a token)
        api = {n for n in ROWS if n.startswith("api:")}
        missing = {n for n in ROWS if _accepts(n, "post")} - posted - {"report_bundle_start"} - api
        assert not missing, f"no form found for {missing}: add them to EXTRA_FORMS"
    walk = Walk(client_for(persona), persona)
    started = time.monotonic()
    _walk_queries(walk, query_names)
    _walk_forms(walk, forms)
    elapsed = time.monotonic() - started
    assert not walk.failures, f"{len(walk.failures)} of {walk.requests}:\n" + "\n".join(
        walk.failures[:40]
    )
    print(f"{persona}: {walk.requests} requests in {elapsed:.1f} s; {walk.slowest()}")
