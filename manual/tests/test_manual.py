"""操作手册: the chapters, their pictures, the 帮助 link of every page, and the PDF."""

import re
from io import BytesIO

import pytest

from audit_portal.testing import PERSONAS
from audit_portal.tests.test_permission_matrix import ROWS, all_patterns
from manual import chapters
from manual.tests.shots import FOLDER, SHOTS

# persona of the permission matrix → the role whose chapter explains its pages
ROLE_OF = {persona: role for persona, (_user, _name, role, _code) in PERSONAS.items()}
NOT_PAGES = re.compile(r"\.(pdf|xlsx|zip|csv)$|/files/|/download/|^/admin/")


def _url_names() -> set[str]:
    """Every page's URL name, a namespaced one by its own name too (api:docs → docs, which
    is what the request's resolver_match.url_name says)."""
    names = {name for name, _route in all_patterns() if name}
    return names | {name.split(":")[-1] for name in names}


@pytest.mark.parametrize("chapter", chapters.CHAPTERS, ids=lambda c: c.slug)
def test_each_chapter_has_a_title_sections_and_pages_that_exist(chapter):
    rendered = chapters.for_page(chapter)
    assert rendered.title and rendered.contents
    anchors = [s.anchor for s in rendered.sections]
    assert len(anchors) == len(set(anchors)), f"an anchor twice in {chapter.slug}"
    unknown = {name for s in rendered.sections for name in s.pages} - _url_names()
    assert not unknown, f"{chapter.slug} names pages that do not exist: {unknown}"
    assert f'id="{anchors[0]}"' in rendered.html
    assert "{#" not in rendered.html, "a heading's {#anchor} was left in its text"
    # Markdown's ** next to Chinese punctuation (（ZIP）**一次) stays as two asterisks
    assert "**" not in rendered.html, "bold that did not come out: write 点击**…**，…"


def test_every_link_between_chapters_reaches_a_section():
    """``[…](auditor.md#scoring)`` in one chapter: the chapter and the anchor exist."""
    anchors = {c.slug: {s.anchor for s in chapters.for_page(c).sections} for c in chapters.CHAPTERS}
    for chapter in chapters.CHAPTERS:
        text = chapter.path.read_text(encoding="utf-8")
        for target, anchor in re.findall(r"\]\(([a-z-]+)\.md(?:#([a-z0-9-]+))?\)", text):
            assert target in anchors, f"{chapter.slug} links to a chapter {target} that is not"
            assert not anchor or anchor in anchors[target], f"{chapter.slug} → {target}#{anchor}"
        for anchor in re.findall(r"\]\(#([a-z0-9-]+)\)", text):
            assert anchor in anchors[chapter.slug], f"{chapter.slug} → #{anchor}"


def test_every_picture_the_manual_shows_is_taken_by_the_browser_tests():
    """What the chapters show is what ``make screenshots`` takes, and nothing else lies in
    static/manual/: a picture nobody takes again would go stale."""
    shown = {name for c in chapters.CHAPTERS for name in chapters.for_page(c).shots}
    taken = {f"{shot.name}.png" for shot in SHOTS}
    assert shown == taken
    assert {path.name for path in FOLDER.iterdir()} == taken


def _pages_for(persona):
    for name, cases in ROWS.items():
        for case in cases:
            if (
                case.method == "get"
                and case.expected.get(persona) == 200
                and not NOT_PAGES.search(case.url.split("?")[0])
                and name not in {"healthz", "help", "help_chapter", "manual_pdf"}
                and (not name.startswith("api:") or name == "api:docs")  # JSON, not pages
            ):
                yield name.removeprefix("api:")


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_page_a_person_opens_has_its_section_in_their_manual(persona):
    """The 帮助 link of each page a persona may open (the permission matrix's pages) goes to
    a section that explains it, not to the top of a chapter."""
    role = ROLE_OF[persona]
    without = sorted(
        {name for name in _pages_for(persona) if "#" not in chapters.help_url(role, name)}
    )
    assert not without, f"no section of the {role} manual explains: {without}"


def test_a_page_the_chapter_explains_leads_to_its_section(client_for):
    client = client_for("assigned")
    page = client.get("/cycles/2023/agencies/004/scoring/").content.decode()
    assert 'href="/help/auditor/#scoring" data-testid="nav-help"' in page
    manager = client_for("manager").get("/cycles/2023/agencies/004/").content.decode()
    assert 'href="/help/manager/#review" data-testid="nav-help"' in manager
    # a page its own chapter does not explain: the one it leans on (the administrator on
    # the overview → the manager's chapter), then the basics
    admin = client_for("administrator").get("/cycles/2023/").content.decode()
    assert 'href="/help/manager/#overview" data-testid="nav-help"' in admin
    staff = client_for("staff004").get("/notifications/").content.decode()
    assert 'href="/help/basics/#notifications" data-testid="nav-help"' in staff


def test_the_index_lists_every_chapter_the_persons_own_first(client_for):
    page = client_for("staff004").get("/help/").content.decode()
    titles = [chapters.for_page(c).title for c in chapters.CHAPTERS]
    positions = {title: page.index(title) for title in titles}
    assert min(positions, key=positions.get) == "代办处经办人操作指南"
    assert page.count('href="/help/manual.pdf"') == 1


def test_a_chapter_shows_its_pictures_from_the_portals_own_files(client_for):
    page = client_for("auditor").get("/help/auditor/").content.decode()
    assert '<img src="/static/manual/scoring.png" alt="评分页" class="manual-shot"' in page
    assert 'href="/help/basics/#workbench"' in page  # a link to another chapter
    assert client_for("auditor").get("/help/nobody/").status_code == 404


def test_the_whole_manual_is_one_pdf_with_every_chapter_and_picture(client_for):
    from pypdf import PdfReader

    response = client_for("secauditor").get("/help/manual.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for chapter in chapters.CHAPTERS:
        assert chapters.for_page(chapter).title in text
    assert "目录" in text
    assert _pictures(reader) == sum(len(chapters.for_page(c).shots) for c in chapters.CHAPTERS)
    # rendered once: the second person gets the same bytes without a new rendering
    assert client_for("staff004").get("/help/manual.pdf").content == response.content


def test_the_pdf_reads_only_the_manuals_own_pictures(tmp_path, caplog):
    """Like every document the portal renders, nothing from outside: a picture pointing
    elsewhere than the manual's own folder (a file URL, a path out of the folder to a
    perfectly good picture) is left out, never read. And every link inside the PDF finds its
    section (WeasyPrint says "No anchor" otherwise)."""
    import os
    import shutil

    from pypdf import PdfReader

    from manual import pdf

    elsewhere = tmp_path / "elsewhere.png"
    shutil.copy(chapters.SHOTS_DIR / "login.png", elsewhere)
    document = pdf.html()
    outside = document.replace("manual-shot:login.png", "file:///etc/passwd", 1)
    outside = outside.replace(
        "manual-shot:scoring.png",
        "manual-shot:" + os.path.relpath(elsewhere, chapters.SHOTS_DIR),
        1,
    )
    whole = _pictures(PdfReader(BytesIO(pdf.pdf())))  # as served (rendered once a process)
    assert _pictures(PdfReader(BytesIO(pdf._render(outside)))) == whole - 2
    assert "No anchor" not in caplog.text


def _pictures(reader) -> int:
    """The images a PDF holds (WeasyPrint lists them all on every page)."""
    found = set()
    for page in reader.pages:
        objects = page["/Resources"].get_object().get("/XObject", {})
        for reference in objects.get_object().values():
            if reference.get_object()["/Subtype"] == "/Image":
                found.add(reference.idnum)
    return len(found)


def test_each_picture_on_a_help_page_is_given_its_size(client_for):
    """So that the browser keeps each picture's room before it loads, and a section opened
    by its anchor stays in sight (see manual.chapters.shot_size)."""
    from PIL import Image

    page = client_for("auditor").get("/help/auditor/").content.decode()
    pictures = re.findall(r'<img src="/static/manual/([\w.-]+)"[^>]*>', page)
    assert pictures
    for name in pictures:
        tag = re.search(rf'<img src="/static/manual/{re.escape(name)}"[^>]*>', page).group(0)
        with Image.open(FOLDER / name) as picture:
            width, height = picture.size
        assert f'width="{width}" height="{height}"' in tag, tag


def test_a_picture_size_is_read_only_from_a_png_in_the_manuals_folder(tmp_path, monkeypatch):
    def png(width, height, signature=b"\x89PNG\r\n\x1a\n", chunk=b"IHDR"):
        size = width.to_bytes(4, "big") + height.to_bytes(4, "big")
        return signature + b"\x00\x00\x00\r" + chunk + size

    monkeypatch.setattr(chapters, "SHOTS_DIR", tmp_path / "manual")
    (tmp_path / "manual").mkdir()
    (tmp_path / "manual" / "shot.png").write_bytes(png(640, 480))
    (tmp_path / "manual" / "fake.png").write_bytes(png(640, 480, signature=b"GIF89a\x00\x00"))
    (tmp_path / "manual" / "broken.png").write_bytes(png(640, 480, chunk=b"IDAT"))
    (tmp_path / "outside.png").write_bytes(png(640, 480))
    assert chapters.shot_size("shot.png") == (640, 480)
    assert chapters.shot_size("fake.png") is None
    assert chapters.shot_size("broken.png") is None
    assert chapters.shot_size("missing.png") is None
    assert chapters.shot_size("../outside.png") is None


def test_a_chapters_contents_list_its_sections_by_title(client_for):
    page = client_for("auditor").get("/help/auditor/").content.decode()
    contents = page.split('class="portal-card manual-contents"')[1].split("</nav>")[0]
    assert '<li><a href="#scoring">在线评分</a></li>' in contents
    assert "<h1" not in contents and "None" not in contents


@pytest.mark.parametrize("chapter", chapters.CHAPTERS, ids=lambda c: c.slug)
def test_a_chapters_title_is_its_first_heading(chapter):
    first = chapter.path.read_text(encoding="utf-8").splitlines()[0]
    rendered = chapters.render(chapter, shot_url=str, chapter_url=lambda slug, anchor: slug)
    assert first == f"# {rendered.title}"


def test_a_table_in_a_chapter_takes_the_portals_table_style(tmp_path, monkeypatch):
    monkeypatch.setattr(chapters, "CONTENT", tmp_path)
    (tmp_path / "basics.md").write_text(
        "# 通用操作\n\n| 角色 | 首页 |\n| --- | --- |\n| 稽核员 | 工作台 |\n", encoding="utf-8"
    )
    rendered = chapters.render(chapters.BASICS, shot_url=str, chapter_url=lambda slug, anchor: slug)
    assert rendered.title == "通用操作"
    assert rendered.html.count("<table") == 1
    assert '<table class="table table-sm table-bordered manual-table">' in rendered.html


def test_headings_links_and_the_chapter_read_again_when_its_file_changes(tmp_path, monkeypatch):
    """A heading without {#anchor} has no id and no place in the contents; {#anchor} is
    taken off the heading's text; only links to a chapter's .md go to that chapter, a
    link to a section of the same chapter keeps its anchor, any other link is left as
    written; an edited chapter is read again (its file's time is part of the cache key)."""
    import os

    monkeypatch.setattr(chapters, "CONTENT", tmp_path)
    page = tmp_path / "basics.md"
    page.write_text(
        "# 通用操作\n\n## 登录 {#sign-in}\n\n## 其他\n\n"
        "[见评分](auditor.md#scoring) [见登录](#sign-in) [网站](https://example.cn/a#b) "
        "[同名](auditor#scoring)\n",
        encoding="utf-8",
    )
    rendered = chapters.render(
        chapters.BASICS, shot_url=str, chapter_url=lambda slug, anchor: f"/help/{slug}/#{anchor}"
    )
    assert '<h2 id="sign-in">登录</h2>' in rendered.html and "<h2>其他</h2>" in rendered.html
    assert [(s.anchor, s.title) for s in rendered.sections] == [("sign-in", "登录")]
    assert 'href="/help/auditor/#scoring"' in rendered.html
    assert 'href="#sign-in"' in rendered.html
    assert 'href="https://example.cn/a#b"' in rendered.html
    assert 'href="auditor#scoring"' in rendered.html

    assert chapters.for_page(chapters.BASICS).title == "通用操作"
    page.write_text("# 通用操作（新）\n", encoding="utf-8")
    later = page.stat().st_mtime + 10
    os.utime(page, (later, later))
    assert chapters.for_page(chapters.BASICS).title == "通用操作（新）"


def test_a_role_without_a_chapter_of_its_own_is_sent_to_the_basics():
    assert chapters.help_url("", "cycle_overview").startswith("/help/basics/")
