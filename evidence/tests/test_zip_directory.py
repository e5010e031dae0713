"""Reading a ZIP's central directory without unpacking it (evidence.filetypes._zip_names):
the edge cases of the format, each against what Python's own zipfile reads."""

import struct
import zipfile

import pytest

from evidence.filetypes import TooManyEntries, _zip_names


def write_zip(path, names, comment=b""):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in names:
            archive.writestr(name, b"x")
        archive.comment = comment
    return path


def read(path, limit=100_000):
    return list(_zip_names(str(path), limit))


def test_names_in_order_with_an_archive_comment_of_the_largest_size(tmp_path):
    path = write_zip(tmp_path / "a.zip", ["[Content_Types].xml", "word/document.xml", "名称.txt"],
                     comment=b"c" * 0xFFFF)  # fmt: skip
    assert read(path) == zipfile.ZipFile(path).namelist()


def test_an_archive_with_extra_fields_and_entry_comments(tmp_path):
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(3):
            info = zipfile.ZipInfo(f"f{index}.txt")
            info.extra = struct.pack("<HH", 0xCAFE, 4) + b"abcd"
            info.comment = b"entry comment" * index
            archive.writestr(info, b"y")
    assert read(path) == ["f0.txt", "f1.txt", "f2.txt"]


def test_more_than_65535_entries_are_counted_from_the_zip64_record(tmp_path):
    path = write_zip(tmp_path / "many.zip", (f"{i}" for i in range(0x10000 + 5)))
    with pytest.raises(TooManyEntries):
        read(path, limit=10_000)
    names = read(path, limit=0x20000)
    assert len(names) == 0x10000 + 5 and names[-1] == str(0x10000 + 4)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[:-10], id="end record cut"),
        pytest.param(
            lambda data: data[: data.rfind(b"PK\x01\x02")] + data[-22:], id="directory cut"
        ),
        pytest.param(
            lambda data: data.replace(b"PK\x01\x02", b"PK\x09\x09"), id="directory damaged"
        ),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"not a zip at all " * 8, id="no end record"),
    ],
)
def test_a_broken_directory_is_refused(tmp_path, damage):
    path = write_zip(tmp_path / "c.zip", ["a.txt", "b.txt"])
    path.write_bytes(damage(path.read_bytes()))
    # ValueError, as the docstring promises, not a struct.error from reading past the data
    with pytest.raises(ValueError):
        read(path)


def test_a_damaged_zip64_record_is_refused(tmp_path):
    path = write_zip(tmp_path / "d.zip", (f"{i}" for i in range(0x10000 + 1)))
    data = bytearray(path.read_bytes())
    at = data.rfind(b"PK\x06\x06")
    data[at : at + 4] = b"PK\x00\x00"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="ZIP64"):
        read(path)


def test_names_in_a_chinese_windows_zip_without_the_utf8_flag_are_read(tmp_path):
    # Windows' own "send to compressed folder" on a Chinese system writes GBK names without
    # the UTF-8 flag: the archive is still a ZIP, its names read with a replacement character
    gbk = "会议记录.pdf".encode("gbk")
    path = write_zip(tmp_path / "gbk.zip", ["ABCDEFGH.pdf"])  # as long as the GBK name
    path.write_bytes(path.read_bytes().replace(b"ABCDEFGH.pdf", gbk))
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    (name,) = read(path)
    assert name == gbk.decode("utf-8", "replace") and name.endswith(".pdf")


def test_the_end_record_is_the_last_one_even_when_a_file_holds_its_signature(tmp_path):
    path = tmp_path / "e.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("first.txt", b"x")
        archive.writestr("looks-like-an-end.bin", b"PK\x05\x06" + b"\0" * 40)
    assert read(path) == ["first.txt", "looks-like-an-end.bin"]


def zip64_offsets(data: bytes) -> bytes:
    """The same archive with its directory's size and offset only in a ZIP64 end record
    (0xFFFFFFFF in the classic one), as writers do for archives over 4 GB."""
    end = data.rfind(b"PK\x05\x06")
    _sig, _disk, _start, here, count, length, offset, comment = struct.unpack(
        "<4sHHHHIIH", data[end : end + 22]
    )
    record = struct.pack(
        "<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, length, offset
    )
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end, 1)
    classic = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, here, count, 0xFFFFFFFF, 0xFFFFFFFF, comment
    )
    return data[:end] + record + locator + classic + data[end + 22 :]


def test_a_directory_placed_only_in_the_zip64_record_is_read(tmp_path):
    path = write_zip(tmp_path / "f.zip", ["a.txt", "b.txt"])
    path.write_bytes(zip64_offsets(path.read_bytes()))
    assert zipfile.ZipFile(path).namelist() == ["a.txt", "b.txt"]  # Python agrees
    assert read(path) == ["a.txt", "b.txt"]
