"""Streamed ZIP archives of evidence, organised as <code>-<name>/<nn>-<document>/<file>.

The archive is produced piece by piece while it is sent: memory stays flat however many
files it holds. Names are written the way Windows in a Chinese locale reads them (GBK),
with the Info-ZIP Unicode Path field (0x7075) beside them for every other tool; a name that
GBK cannot write is stored as UTF-8 with the UTF-8 flag.
"""

import binascii
import re
import struct
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

CHUNK = 256 * 1024
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_part(text: str, limit: int = 60) -> str:
    """A path component that every operating system accepts."""
    return UNSAFE.sub("_", text).strip(" .")[:limit] or "_"


class _WindowsNameInfo(zipfile.ZipInfo):
    """A ZipInfo whose name is stored in GBK when possible, plus the Unicode Path field."""

    def _encodeFilenameFlags(self):
        try:
            return self.filename.encode("gbk"), self.flag_bits & ~0x800
        except UnicodeEncodeError:
            return self.filename.encode("utf-8"), self.flag_bits | 0x800


def _zipinfo(name: str, date_time) -> zipfile.ZipInfo:
    info = _WindowsNameInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_STORED  # scans and PDFs do not shrink; save the CPU
    try:
        header_name = name.encode("gbk")
    except UnicodeEncodeError:
        return info
    utf8 = name.encode("utf-8")
    unicode_path = struct.pack("<BI", 1, binascii.crc32(header_name)) + utf8
    info.extra = struct.pack("<HH", 0x7075, len(unicode_path)) + unicode_path
    return info


class _Sink:
    """A write-only file that hands what was written to the generator reading it."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self):
        pass

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


@dataclass(frozen=True)
class Entry:
    path: str  # inside the archive
    open: object  # () -> binary file object
    date_time: tuple


def stream_zip(entries: Iterable[Entry]) -> Iterator[bytes]:
    """Yield a ZIP archive of ``entries`` in pieces of about CHUNK bytes."""
    sink = _Sink()
    seen: set[str] = set()
    with zipfile.ZipFile(sink, mode="w", allowZip64=True) as archive:
        for entry in entries:
            path = _unique(entry.path, seen)
            with (
                entry.open() as source,
                archive.open(_zipinfo(path, entry.date_time), mode="w", force_zip64=True) as target,
            ):
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    if sink.parts:
                        yield sink.drain()
            if sink.parts:
                yield sink.drain()
    yield sink.drain()  # the central directory


def _unique(path: str, seen: set[str]) -> str:
    candidate, number = path, 1
    while candidate in seen:
        number += 1
        stem, dot, extension = path.rpartition(".")
        candidate = f"{stem} ({number}){dot}{extension}" if dot else f"{path} ({number})"
    seen.add(candidate)
    return candidate


def evidence_entries(files) -> Iterator[Entry]:
    """Archive entries for EvidenceFile rows (with request__audit__agency and
    request__document selected), in agency, document, upload order."""
    from django.utils import timezone

    from .models import evidence_storage

    storage = evidence_storage()
    for file in files:
        audit = file.request.audit
        document = file.request.document
        folder = f"{audit.agency.code}-{safe_part(audit.agency.name)}"
        subfolder = f"{document.number:02d}-{safe_part(document.title, 40)}"
        uploaded = timezone.localtime(file.uploaded_at)
        yield Entry(
            path=f"{folder}/{subfolder}/{safe_part(file.original_name, 150)}",
            open=lambda key=file.key: storage.open(key, "rb"),
            date_time=max(uploaded.timetuple()[:6], (1980, 1, 1, 0, 0, 0)),
        )
