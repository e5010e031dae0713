"""Every admin page an administrator opens reads in Chinese.

Django's, django-axes', django-tasks' and django-import-export's own strings that their
catalogues leave in English are translated in the portal's catalogue; this test renders
every admin page (index, each model's list, add, change, import and export) and fails on
an English word in the visible text, apart from names such as PDF or Excel.
"""

import re
from html.parser import HTMLParser

from django.contrib import admin
from django.urls import NoReverseMatch, reverse

# Words that are names, not English sentences: formats, products, the personas' user names.
ALLOWED = {
    "pdf",
    "excel",
    "zip",
    "xlsx",
    "csv",
    "sha",
    "ofd",
    "docx",
    "wps",
    "id",
    "ip",
    "url",
    "django",
    "axes",
    "json",
    "yaml",
    "tsv",
    "ods",
    "html",
    "xls",
    "tasks",
    "admin",
    "alice",
    "bai",
    "mona",
    "adam",
    "chaoyang",
    "huairou",
    "sam",
    "sue",
    "utc",
    "http",
    "https",
    "ctrl",
    "command",
    "mac",
    "app",  # key and product names
    "webhook",  # WeCom's and DingTalk's own word for a robot's address (Webhook地址)
    "sec",  # a DingTalk signing secret starts with SEC
}
# Cells and fields that show recorded data (paths, request ids, digests), not the interface.
DATA_CLASSES = (
    "field-path",
    "field-target",
    "field-request_id",
    "field-sha256",
    "field-key",
    "field-address",  # a group robot's webhook, masked
)
# django-axes' access log names itself "Access Log for <user>" in Python (not translatable).
THIRD_PARTY_DATA = {"Access", "Log", "for", "unknown", "Accept"}


class _VisibleText(HTMLParser):
    SKIP = {"script", "style", "template", "noscript", "textarea"}  # textarea: form data

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.skip_stack: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = attrs.get("class") or ""
        if tag in self.SKIP or (tag in ("td", "th") and any(c in classes for c in DATA_CLASSES)):
            self.skipping += 1
            self.skip_stack.append(tag)
        for name in ("title", "placeholder", "aria-label"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if self.skip_stack and self.skip_stack[-1] == tag:
            self.skip_stack.pop()
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def english_words(html: str) -> set[str]:
    parser = _VisibleText()
    parser.feed(html)
    text = re.sub(r"\{\w+\}", "", " ".join(parser.parts))  # placeholders such as {year}
    words = set(re.findall(r"[A-Za-z][A-Za-z']{2,}", text))
    return {
        w
        for w in words
        if w.lower() not in ALLOWED
        and w not in THIRD_PARTY_DATA
        and not re.fullmatch(r"[a-f0-9]+", w)  # digests and storage keys
    }


def admin_pages():
    pages = ["/admin/", "/admin/password_change/"]
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append(reverse(f"{prefix}_changelist"))
        first = model.objects.order_by("pk").first()
        for view, args in (("add", []), ("import", []), ("export", []), ("change", [first])):
            if args and args[0] is None:
                continue
            try:
                pages.append(reverse(f"{prefix}_{view}", args=[a.pk for a in args]))
            except NoReverseMatch:
                pass
    return pages


def test_every_admin_page_reads_in_chinese(client_for, every_model_has_a_row):
    client = client_for("administrator")
    found = {}
    for page in admin_pages():
        response = client.get(page)
        if response.status_code == 403:
            continue  # a read-only record has no add page
        assert response.status_code == 200, page
        words = english_words(response.content.decode())
        if words:
            found[page] = sorted(words)
    assert not found, "English in the admin:\n" + "\n".join(f"{p}: {w}" for p, w in found.items())
