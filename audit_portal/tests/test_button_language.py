"""One button language across every template (docs/features.md, "Buttons"):

- a link (``<a>``) opens a page; one that fetches a file is marked ``btn-download``;
- a button that changes something (a POST) is red, filled or outlined, never grey like a
  link or a search, never marked as a download;
- a button that sends e-mail says so with ``btn-sends-mail``, and no other does.
"""

import re
from pathlib import Path

import pytest

# the portal's own pages; the admin's (templates/admin/) keep Django's look, where a POST
# button among the object tools looks like the links beside it (发送测试消息)
TEMPLATES = sorted(
    p for p in Path("templates").rglob("*.html") if not p.is_relative_to("templates/admin")
)
DOWNLOADS = re.compile(
    r"\{% url '(circular_pdf|circular_xlsx|cycle_documents_zip|documents_zip|evidence_download"
    r"|rectification_pdf|rectification_xlsx|report_bundle_download|report_pdf|scores_xlsx"
    r"|scoring_form_pdf|security_events_csv|security_events_xlsx|self_assessment_pdf"
    r"|workpaper_xlsx|workpapers_zip|audit_notice_pdf|draft_report_pdf|archive_zip|manual_pdf)'"
)
SENDS_MAIL = re.compile(r"\{% url '(document_remind)'")
STATE_CHANGE = {
    "btn-primary",
    "btn-danger",
    "btn-outline-primary",
    "btn-outline-danger",
    "btn-success",
}
LOOKS_LIKE_A_LINK = {"btn-outline-secondary", "btn-secondary", "btn-link", "btn-download"}
# the navbar's sign-out sits on the red bar, where only the light outline shows
ON_THE_RED_BAR = {"btn-outline-light"}
TAG = re.compile(r"<(/?)(form|button|a)\b([^>]*)>", re.S)


def _classes(attributes: str) -> set[str]:
    found = re.search(r'class="([^"]*)"', attributes)
    return set(found.group(1).split()) if found else set()


def _tags(path: Path):
    """(tag, attributes, the form it submits: its attributes or None) in template order."""
    text = path.read_text(encoding="utf-8")
    forms_by_id = {
        found.group(1): attributes
        for _closing, name, attributes in TAG.findall(text)
        if name == "form" and (found := re.search(r'id="([^"]+)"', attributes))
    }
    open_form = None
    for closing, name, attributes in TAG.findall(text):
        if name == "form":
            open_form = None if closing else attributes
            continue
        if closing:
            continue
        owner = re.search(r'\bform="([^"]+)"', attributes)
        yield name, attributes, forms_by_id.get(owner.group(1)) if owner else open_form


def _is_post(form: str | None) -> bool:
    return form is not None and 'method="post"' in form


def _submits(attributes: str) -> bool:
    return 'type="button"' not in attributes


@pytest.mark.parametrize("path", TEMPLATES, ids=str)
def test_links_open_pages_and_downloads_are_marked(path):
    for name, attributes, _form in _tags(path):
        if name != "a":
            continue
        classes = _classes(attributes)
        if "btn" not in classes:
            continue
        if DOWNLOADS.search(attributes):
            assert "btn-download" in classes, f"{path}: a download not marked: <a{attributes}>"
        assert not classes & (STATE_CHANGE - {"btn-primary"}), (
            f"{path}: a link coloured like a button that changes something: <a{attributes}>"
        )


@pytest.mark.parametrize("path", TEMPLATES, ids=str)
def test_buttons_that_change_something_do_not_look_like_links(path):
    for name, attributes, form in _tags(path):
        if name != "button" or not _submits(attributes) or not _is_post(form):
            continue
        classes = _classes(attributes)
        if classes & ON_THE_RED_BAR:
            continue
        assert classes & STATE_CHANGE, f"{path}: a POST button without a red style: {attributes}"
        assert not classes & LOOKS_LIKE_A_LINK, (
            f"{path}: a POST button styled as a link: {attributes}"
        )


@pytest.mark.parametrize("path", TEMPLATES, ids=str)
def test_buttons_that_send_mail_say_so(path):
    for name, attributes, form in _tags(path):
        if name != "button" or not _submits(attributes):
            continue
        sends_mail = _is_post(form) and bool(SENDS_MAIL.search(form))
        marked = "btn-sends-mail" in _classes(attributes)
        assert marked == sends_mail, f"{path}: {attributes} (sends mail: {sends_mail})"


def test_the_rules_see_the_buttons_they_judge():
    """The parser finds what the rules are about (a test of the test: an empty walk passes)."""
    grid = list(_tags(Path("templates/evidence/grid.html")))
    assert any("btn-sends-mail" in _classes(a) for n, a, f in grid if n == "button")
    overview = list(_tags(Path("templates/agencies/cycle_overview.html")))
    assert sum("btn-download" in _classes(a) for n, a, _f in overview if n == "a") == 4
    items = list(_tags(Path("templates/rectification/items.html")))
    assert any(_is_post(f) and "btn-success" in _classes(a) for n, a, f in items if n == "button")
