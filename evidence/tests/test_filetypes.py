import pytest

from evidence import filetypes
from evidence.filetypes import RefusedFile
from evidence.tests import samples


@pytest.fixture
def on_disk(tmp_path):
    def write(content: bytes):
        path = tmp_path / "upload.bin"
        path.write_bytes(content)
        return str(path)

    return write


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("制度.pdf", samples.PDF, "pdf"),
        ("照片.PNG", samples.PNG, "png"),
        ("照片.jpeg", samples.JPG, "jpg"),
        ("旧文件.doc", samples.OLE, "ole"),
        ("报表.xls", samples.OLE, "ole"),
        ("金山.wps", samples.OLE, "ole"),
        ("表格.et", samples.OLE, "ole"),
        ("说明.docx", samples.DOCX, "docx"),
        ("台账.xlsx", samples.XLSX, "xlsx"),
        ("发票.ofd", samples.OFD, "ofd"),
        ("扫描件.zip", samples.ZIP, "zip"),
    ],
)
def test_accepted_kinds_are_recognised_by_content(on_disk, name, content, kind):
    assert filetypes.check(on_disk(content), name, len(content)).kind == kind


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("报告.pdf", samples.EXE, "其内容是另一种文件"),
        ("报告.pdf", samples.HTML, "其内容是另一种文件"),
        ("报告.docx", samples.ZIP, "内容却是 ZIP"),
        ("报告.docx", samples.PDF, "内容却是 PDF"),
        ("报告.zip", samples.PDF, "内容却是 PDF"),
        ("报告.pdf.exe", samples.EXE, "不是平台接受的文件类型"),
        ("没有扩展名", samples.PDF, "不是平台接受的文件类型"),
        ("坏的.xlsx", b"PK\x03\x04 not really a zip", "其内容是另一种文件"),
    ],
)
def test_refusals_say_why_in_chinese(on_disk, name, content, message):
    with pytest.raises(RefusedFile, match=message):
        filetypes.check(on_disk(content), name, len(content))


def test_an_empty_file_is_refused(on_disk):
    with pytest.raises(RefusedFile, match="是空文件"):
        filetypes.check(on_disk(b""), "空.pdf", 0)


def _many_entries(path, count: int):
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for index in range(count):
            archive.writestr(f"{index}.txt", b"")
    return str(path)


def test_an_archive_with_too_many_entries_is_refused_without_reading_them(tmp_path, settings):
    import time
    import tracemalloc

    path = _many_entries(tmp_path / "炸弹.zip", 20_000)
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(RefusedFile) as refused:
        filetypes.check(path, "炸弹.zip", 1)
    elapsed = time.monotonic() - started
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "20,000" in str(refused.value) and "10,000" in str(refused.value)
    # the entry count is read from the end record: nothing per entry is built
    assert peak < 1_000_000 and elapsed < 1.0


def test_the_entry_limit_is_a_setting_and_archives_within_it_pass(tmp_path, settings):
    settings.EVIDENCE_ZIP_MAX_ENTRIES = 100
    assert filetypes.check(_many_entries(tmp_path / "a.zip", 100), "a.zip", 1).kind == "zip"
    with pytest.raises(RefusedFile):
        filetypes.check(_many_entries(tmp_path / "b.zip", 101), "b.zip", 1)


def test_reading_the_entries_takes_flat_memory(tmp_path):
    """Within the limit every entry is looked at, one at a time."""
    import tracemalloc

    path = _many_entries(tmp_path / "c.zip", 9_000)
    tracemalloc.start()
    assert filetypes.check(path, "c.zip", 1).kind == "zip"
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1_000_000


def test_a_zip64_archive_is_read(tmp_path):
    import zipfile

    # written as ZIP64 (its real entry count and offsets in the ZIP64 end record)
    zipfile.ZIP64_LIMIT, saved = 0, zipfile.ZIP64_LIMIT
    try:
        with zipfile.ZipFile(tmp_path / "z64.docx", "w", allowZip64=True) as archive:
            archive.writestr("[Content_Types].xml", b"<Types/>")
            archive.writestr("word/document.xml", b"<w/>")
    finally:
        zipfile.ZIP64_LIMIT = saved
    content = (tmp_path / "z64.docx").read_bytes()
    assert b"PK\x06\x06" in content
    assert filetypes.check(str(tmp_path / "z64.docx"), "z64.docx", len(content)).kind == "docx"


def test_a_damaged_directory_is_not_a_zip(on_disk):
    content = samples.ZIP[:-30] + b"PK\x05\x06" + b"\xff" * 18
    with pytest.raises(RefusedFile):
        filetypes.check(on_disk(content), "坏.zip", len(content))


def _zip_of(tmp_path, names):
    import zipfile

    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, b"<x/>")
    return str(path)


@pytest.mark.parametrize(
    ("names", "kind"),
    [
        (["[Content_Types].xml", "word/document.xml", "docProps/app.xml"], "docx"),
        (["[Content_Types].xml", "xl/workbook.xml", "docProps/app.xml"], "xlsx"),
        (["word/document.xml", "docProps/app.xml"], "zip"),  # no [Content_Types].xml
        (["xl/workbook.xml", "xl/styles.xml"], "zip"),
        (["OFD.xml", "Doc_0/Document.xml"], "ofd"),
        (["readme.txt", "data/a.csv"], "zip"),
    ],
)
def test_office_files_are_told_apart_by_the_entries_they_must_have(tmp_path, names, kind):
    from evidence.filetypes import sniff

    assert sniff(_zip_of(tmp_path, names)) == kind
