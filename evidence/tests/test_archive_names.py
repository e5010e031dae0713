"""Names inside the streamed ZIP: duplicates get a number, names GBK cannot write go UTF-8."""

import io
import struct
import zipfile

from evidence.archive import Entry, stream_zip

WHEN = (2023, 6, 1, 9, 30, 0)


def archive_of(names):
    entries = [
        Entry(path=name, open=lambda i=i: io.BytesIO(f"file {i}".encode()), date_time=WHEN)
        for i, name in enumerate(names)
    ]
    # read as Windows in Chinese reads it: names in GBK unless flagged UTF-8
    return zipfile.ZipFile(io.BytesIO(b"".join(stream_zip(entries))), metadata_encoding="gbk")


def test_duplicate_names_are_numbered_and_nothing_is_overwritten():
    archive = archive_of(["004/制度.pdf", "004/制度.pdf", "004/制度.pdf", "004/说明", "004/说明"])
    assert archive.namelist() == [
        "004/制度.pdf",
        "004/制度 (2).pdf",
        "004/制度 (3).pdf",
        "004/说明",
        "004/说明 (2)",
    ]
    assert [archive.read(n) for n in archive.namelist()] == [f"file {i}".encode() for i in range(5)]


def test_a_name_gbk_cannot_write_is_stored_as_utf8_with_the_flag():
    archive = archive_of(["004/报告👍.pdf", "004/𠀀字.pdf", "004/普通.pdf"])
    emoji, rare, plain = archive.infolist()
    assert (emoji.filename, rare.filename, plain.filename) == (
        "004/报告👍.pdf",
        "004/𠀀字.pdf",
        "004/普通.pdf",
    )
    assert emoji.flag_bits & 0x800 and rare.flag_bits & 0x800
    assert emoji.extra == rare.extra == b""
    # the GBK name carries the Unicode Path field (0x7075) for tools that do not read GBK
    assert not plain.flag_bits & 0x800
    assert struct.unpack("<H", plain.extra[:2])[0] == 0x7075
    assert plain.extra.endswith("004/普通.pdf".encode())
