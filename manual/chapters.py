"""操作手册: the user manual in Chinese, one chapter for everyone (通用操作) and one per role,
task by task. Each chapter is a Markdown file in ``manual/content/``; its pictures are
screenshots of the demo data that the browser tests take (``make screenshots`` writes them to
``static/manual/``), so they are taken again whenever the pages change.

A heading may carry its anchor and the pages it explains: ``## 在线评分 {#scoring: scoring
audit_detail}``. The anchor is the section's address (``/help/auditor/#scoring``); the names
after the colon are URL names, and the 帮助 link of those pages opens that section for a
person of the chapter's role.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt

from accounts.models import Role

CONTENT = Path(__file__).resolve().parent / "content"
SHOTS_DIR = CONTENT.parent.parent / "static" / "manual"
SHOTS_URL_PREFIX = "shots/"  # how a chapter names a screenshot: ![说明](shots/scoring.png)


@dataclass(frozen=True)
class Chapter:
    slug: str
    role: str | None  # None: for everyone
    # chapters whose sections explain this role's other pages too (a manager scores as an
    # auditor does; an administrator opens the office's pages)
    also: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return CONTENT / f"{self.slug}.md"


CHAPTERS = (
    Chapter("basics", None),
    Chapter("auditor", Role.AUDITOR),
    Chapter("agency", Role.AGENCY_STAFF),
    Chapter("manager", Role.MANAGER, also=("auditor",)),
    Chapter("administrator", Role.ADMINISTRATOR, also=("manager", "auditor")),
    Chapter("security-admin", Role.SECURITY_ADMIN),
    Chapter("security-auditor", Role.SECURITY_AUDITOR),
)
BY_SLUG = {chapter.slug: chapter for chapter in CHAPTERS}
BY_ROLE = {chapter.role: chapter for chapter in CHAPTERS if chapter.role}
BASICS = BY_SLUG["basics"]


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    level: int
    pages: tuple[str, ...]


@dataclass(frozen=True)
class Rendered:
    title: str
    html: str
    sections: tuple[Section, ...]
    shots: tuple[str, ...]  # the screenshots it shows, by file name

    @property
    def contents(self) -> list[Section]:
        """The sections a table of contents lists (the second level)."""
        return [s for s in self.sections if s.level == 2]


# "## 标题 {#anchor}" or "## 标题 {#anchor: url_name url_name}"
ATTRIBUTES = re.compile(r"\s*\{#([a-z0-9-]+)(?::([^}]*))?\}\s*$")
MARKDOWN = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def render(chapter: Chapter, *, shot_url, chapter_url, anchor_prefix: str = "") -> Rendered:
    """The chapter as HTML. ``shot_url(name)`` is where a screenshot is read from,
    ``chapter_url(slug, anchor)`` where a link to another chapter (``agency.md#documents``)
    goes; ``anchor_prefix`` keeps the anchors of several chapters on one page apart (the PDF).
    """
    tokens = MARKDOWN.parse(chapter.path.read_text(encoding="utf-8"))
    title, sections, shots = "", [], []
    for number, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[number + 1]
            level = int(token.tag[1])
            anchor, pages = _take_attributes(inline)
            text = inline.content
            if level == 1:
                title = text
            if anchor:
                token.attrSet("id", anchor_prefix + anchor)
                sections.append(Section(anchor, text, level, pages))
        if token.type == "table_open":
            token.attrSet("class", "table table-sm table-bordered manual-table")
        for child in token.children or ():
            if child.type == "image":
                name = str(child.attrGet("src") or "")
                if name.startswith(SHOTS_URL_PREFIX):
                    name = name.removeprefix(SHOTS_URL_PREFIX)
                    shots.append(name)
                    child.attrSet("src", shot_url(name))
                    child.attrSet("class", "manual-shot")
                    size = shot_size(name)
                    if size:  # the browser keeps its room before it loads: no jump
                        child.attrSet("width", str(size[0]))
                        child.attrSet("height", str(size[1]))
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                target, _, anchor = href.partition("#")
                if target.endswith(".md") and target.removesuffix(".md") in BY_SLUG:
                    child.attrSet("href", chapter_url(target.removesuffix(".md"), anchor))
                elif not target and anchor:  # a section of the same chapter
                    child.attrSet("href", f"#{anchor_prefix}{anchor}")
    html = MARKDOWN.renderer.render(tokens, MARKDOWN.options, {})
    return Rendered(title, html, tuple(sections), tuple(shots))


def shot_path(name: str) -> Path | None:
    """The screenshot of that name in static/manual/, or None when there is no such file
    there (a name reaching out of the folder included)."""
    path = SHOTS_DIR / name
    return path if path.parent == SHOTS_DIR and path.is_file() else None


def shot_size(name: str) -> tuple[int, int] | None:
    """(width, height) of a screenshot in static/manual/, read from its PNG header; None
    when there is no such picture.

    A section opened by its anchor (the 帮助 link goes to /help/auditor/#scoring) is
    scrolled to before the pictures above it load: without their size, each one that
    loads pushes the section down and out of sight."""
    path = shot_path(name)
    if path is None:
        return None
    with path.open("rb") as png:
        header = png.read(24)
    if header[:8] != b"\x89PNG\r\n\x1a\n" or header[12:16] != b"IHDR":
        return None
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def _take_attributes(inline) -> tuple[str, tuple[str, ...]]:
    """The ``{#anchor: pages}`` at a heading's end, taken off its text."""
    match = ATTRIBUTES.search(inline.content)
    if not match:
        return "", ()
    inline.content = inline.content[: match.start()]
    last = inline.children[-1]
    last.content = ATTRIBUTES.sub("", last.content)
    return match.group(1), tuple((match.group(2) or "").split())


@lru_cache(maxsize=64)
def _for_page(slug: str, modified: float) -> Rendered:
    from django.templatetags.static import static
    from django.urls import reverse

    def chapter_url(target: str, anchor: str) -> str:
        url = reverse("help_chapter", args=[target])
        return f"{url}#{anchor}" if anchor else url

    return render(
        BY_SLUG[slug], shot_url=lambda name: static(f"manual/{name}"), chapter_url=chapter_url
    )


def for_page(chapter: Chapter) -> Rendered:
    """The chapter as shown at /help/<slug>/ (read again when its file changes)."""
    return _for_page(chapter.slug, chapter.path.stat().st_mtime)


def help_sections() -> dict[str, dict[str, str]]:
    """Chapter slug → {URL name → anchor}: the sections that explain each page."""
    found: dict[str, dict[str, str]] = {}
    for chapter in CHAPTERS:
        pages = found.setdefault(chapter.slug, {})
        for section in for_page(chapter).sections:
            for name in section.pages:
                pages.setdefault(name, section.anchor)
    return found


def help_url(role: str, url_name: str | None) -> str:
    """The 帮助 link of a page: the section that explains it in the person's chapter, else
    in the chapters it leans on, else in the basics; else the top of the person's chapter."""
    from django.urls import reverse

    own = BY_ROLE.get(role, BASICS)
    sections = help_sections()
    for slug in (own.slug, *own.also, BASICS.slug):
        anchor = sections[slug].get(url_name or "")
        if anchor:
            return reverse("help_chapter", args=[slug]) + "#" + anchor
    return reverse("help_chapter", args=[own.slug])
