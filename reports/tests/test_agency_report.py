import hashlib
import io

import pytest
from pypdf import PdfReader

from agencies.models import AuditStatus
from checklist import services as checklist_services
from reports.models import IssuedReport
from reports.tests.helpers import pdf_fonts, pdf_text, scored_and_submitted

URL = "/cycles/2023/agencies/004/report.pdf"


@pytest.fixture
def under_review(db, auditor):
    return scored_and_submitted("004", auditor, finding="会议记录缺少分管领导签字")


def test_a_draft_before_finalization_marked_on_every_page(client_for, under_review):
    response = client_for("auditor").get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "朝阳" in text and "004" in text
    assert "会议记录缺少分管领导签字" in text
    under_review.refresh_from_db()
    assert str(under_review.total_score) in text
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        page_text = page.extract_text()
        assert "草稿" in page_text, f"no draft mark on page {number}"
        assert f"第 {number} 页 共 {len(pages)} 页" in page_text
    assert not IssuedReport.objects.exists()


def test_chinese_is_in_embedded_subset_fonts(client_for, under_review):
    fonts = pdf_fonts(client_for("manager").get(URL).content)
    assert fonts, "no font in the PDF"
    assert all("+" in name for name in fonts), fonts  # ABCDEF+NotoSerifCJKsc-Regular: a subset
    assert any("CJK" in name for name in fonts)
    # digits are emoji too: an emoji font must not draw the scores when nobody typed emoji
    assert not any("Emoji" in name for name in fonts), fonts


def test_finalizing_issues_a_numbered_report_whose_bytes_never_change(client_for, under_review):
    manager = client_for("manager")
    response = manager.post("/cycles/2023/agencies/004/finalize/", follow=True)
    assert "稽核〔2023〕004号" in response.content.decode()
    report = IssuedReport.objects.get()
    assert (report.version, report.number) == (1, "稽核〔2023〕004号")
    assert report.sha256 == hashlib.sha256(bytes(report.content)).hexdigest()

    first = manager.get(URL)
    second = client_for("staff004").get(URL)
    assert first.content == second.content == bytes(report.content)
    assert first["X-Report-SHA256"] == report.sha256
    text = pdf_text(first.content)
    under_review.refresh_from_db()
    assert "稽核〔2023〕004号" in text
    assert "草稿" not in text
    assert str(under_review.total_score) in text
    assert under_review.get_grade_display() in text
    assert "会议记录缺少分管领导签字" in text and "限期整改" in text
    assert "朝阳" in text and "004" in text


def test_reopening_and_finalizing_again_issues_a_new_version(
    client_for, under_review, manager, auditor
):
    client = client_for("manager")
    client.post("/cycles/2023/agencies/004/finalize/")
    checklist_services.reopen_audit(audit=under_review, by=manager, reason="补充材料")
    checklist_services.submit_audit(audit=under_review, by=auditor)
    client.post("/cycles/2023/agencies/004/finalize/")

    v1, v2 = IssuedReport.objects.order_by("version")
    assert v2.number == "稽核〔2023〕004号（第2版）"
    assert client.get(URL).content == bytes(v2.content)
    assert client.get(URL + "?version=1").content == bytes(v1.content)
    assert client_for("staff004").get(URL + "?version=1").status_code == 403
    assert client_for("auditor").get(URL + "?version=1").status_code == 403


def test_agency_staff_read_only_their_own_issued_report(client_for, under_review):
    assert client_for("staff004").get(URL).status_code == 403  # not finalized yet
    client_for("manager").post("/cycles/2023/agencies/004/finalize/")
    assert client_for("staff004").get(URL).status_code == 200
    assert client_for("staff007").get(URL).status_code == 404
    assert client_for("anonymous").get(URL).status_code == 302


def test_a_finalization_that_fails_to_render_finalizes_nothing(
    client_for, under_review, monkeypatch
):
    from reports import pdf

    def broken(data):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(pdf, "agency_report_pdf", broken)
    with pytest.raises(RuntimeError):
        client_for("manager").post("/cycles/2023/agencies/004/finalize/")
    under_review.refresh_from_db()
    assert under_review.status == AuditStatus.UNDER_REVIEW
    assert not IssuedReport.objects.exists()


def test_user_text_is_printed_not_obeyed(client_for, db, auditor):
    hostile = (
        '<link rel="attachment" href="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
    )
    scored_and_submitted("004", auditor, finding=hostile)
    content = client_for("manager").get(URL).content
    assert b"/EmbeddedFiles" not in content and b"/Filespec" not in content
    assert b"root:x:0:0" not in content
    text = pdf_text(content).replace("\n", "")
    assert 'rel="attachment"' in text and "file:///etc/passwd" in text


# What users type into findings: emoji with modifiers and ZWJ sequences, rare ideographs
# (extensions A and B), symbols of Chinese office text.
TYPED = "👍🏻 🇨🇳 👨‍👩‍👧 𠀀 㐀 ① ※ ℃ ㎡"
FONT_STACK = ("Noto Serif CJK SC", "HanaMinA", "HanaMinB", "Noto Color Emoji", "Symbola")
JOINERS = {0x200D, 0xFE0F}  # drawn as part of their sequence, not as glyphs of their own


def _installed_font_cmaps():
    import subprocess

    from fontTools.ttLib import TTCollection, TTFont

    cmaps = {}
    for family in FONT_STACK:
        path = subprocess.run(
            ["fc-match", "-f", "%{file}", family], capture_output=True, text=True, check=True
        ).stdout
        fonts = TTCollection(path).fonts if path.endswith(".ttc") else [TTFont(path)]
        cmaps[family] = set().union(*(set(font.getBestCmap() or {}) for font in fonts))
    return cmaps


def test_what_users_type_prints_with_a_glyph_never_a_box(client_for, auditor):
    from checklist.tests.helpers import audit_of, save

    under_review = scored_and_submitted("004", auditor)
    checklist_services.return_audit(audit=under_review, by=_manager(), comment="补充")
    save(
        audit_of("004"),
        "1-3",
        auditor,
        result="largely",
        points="6",
        finding=f"签到表缺失 {TYPED}",
        rectification="补齐",
    )
    content = client_for("manager").get(URL).content

    # every character has a glyph in one of the report's fonts (none falls to a box)…
    cmaps = _installed_font_cmaps()
    for character in TYPED.replace(" ", ""):
        if ord(character) in JOINERS:
            continue
        assert any(ord(character) in cmap for cmap in cmaps.values()), (
            f"no font of the report has {character!r} (U+{ord(character):04X})"
        )
    # …and the PDF drew them with the fonts that have them
    fonts = " ".join(pdf_fonts(content))
    assert "Noto-Color-Emoji" in fonts and "HanaMin" in fonts, fonts
    text = pdf_text(content)
    for character in TYPED.replace(" ", ""):
        assert character in text, character
    # 结果 fits 基本符合 on one line: one word as laid out on the page, not 基本符 + 合
    import subprocess

    words = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    assert ">基本符合<" in words and ">基本符<" not in words


def _manager():
    from audit_portal.testing import persona_user

    return persona_user("manager")


def test_the_report_lists_each_document_with_its_state_and_files(db, staff004, manager):
    """稽核前资料提交情况: every required document in order, as the documents page says it."""
    from checklist.tests.helpers import audit_of
    from evidence import services
    from evidence.models import RequiredDocument, evidence_storage
    from reports import data

    audit = audit_of("004")
    first, second = RequiredDocument.objects.filter(cycle=audit.cycle).order_by("number")[:2]
    stored = [
        services.store_bytes(
            audit=audit, document=first, name=f"制度{n}.pdf", content=b"%PDF-1.4 x", by=staff004
        )
        for n in (1, 2)
    ]
    stored.append(
        services.store_bytes(
            audit=audit, document=second, name="账簿.pdf", content=b"%PDF-1.4 y", by=staff004
        )
    )
    services.return_document(audit=audit, document=second, reason="不清楚", by=manager)
    try:
        documents = data.agency_report(audit)["documents"]
    finally:
        for file in stored:
            evidence_storage().delete(file.key)
    assert [d["number"] for d in documents] == list(range(1, 11))
    assert [(str(d["status_label"]), d["files"]) for d in documents[:3]] == [
        ("已提交", 2),
        ("退回补充", 1),
        ("未提交", 0),
    ]
