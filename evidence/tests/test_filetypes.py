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
