"""What a file is, judged by its content, and whether its name agrees.

Accepted (DESIGN.md): PDF, OFD, DOC/DOCX, XLS/XLSX, WPS/ET, JPG/PNG, ZIP. OOXML and OFD are
ZIP containers recognised by what they contain; old Office and WPS files by the OLE2
signature; the rest by their magic numbers.
"""

import struct
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# detected kind -> the extensions a file of that kind may carry
EXTENSIONS = {
    "pdf": {"pdf"},
    "png": {"png"},
    "jpg": {"jpg", "jpeg"},
    "ole": {"doc", "xls", "wps", "et"},
    "docx": {"docx"},
    "xlsx": {"xlsx"},
    "ofd": {"ofd"},
    "zip": {"zip"},
}
ALLOWED_EXTENSIONS = sorted(set().union(*EXTENSIONS.values()))
KIND_LABELS = {
    "pdf": "PDF",
    "png": "PNG",
    "jpg": "JPG",
    "ole": "Word/Excel/WPS (97-2003)",
    "docx": "Word (DOCX)",
    "xlsx": "Excel (XLSX)",
    "ofd": "OFD",
    "zip": "ZIP",
}


class RefusedFile(Exception):
    """The file is not accepted; the message says why, in the user's language."""


@dataclass(frozen=True)
class Detected:
    kind: str
    extension: str


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def sniff(path: str) -> str | None:
    """The kind of file at ``path`` by its content, or None when it is none we accept."""
    with open(path, "rb") as file:
        head = file.read(1024)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(OLE2):
        return "ole"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(path)
    return None


class TooManyEntries(Exception):
    """A ZIP container with more entries than EVIDENCE_ZIP_MAX_ENTRIES."""


_END = struct.Struct("<4sHHHHIIH")  # end of central directory record
_END64_LOCATOR = struct.Struct("<4sIQI")
_END64 = struct.Struct("<4sQHHIIQQQQ")
_ENTRY = struct.Struct("<4s24xHHH12x")  # a central directory header: name, extra, comment


def _zip_names(path: str, limit: int):
    """The entry names of the ZIP at ``path``, read from its central directory one entry at
    a time: memory and time stay flat whatever the archive claims (Python's zipfile builds
    an object per entry first, 500 MB for a million empty ones). TooManyEntries beyond
    ``limit``; ValueError when the archive's directory does not hold together."""
    with open(path, "rb") as file:
        size = file.seek(0, 2)
        tail_length = min(size, 0xFFFF + _END.size)
        file.seek(size - tail_length)
        tail = file.read(tail_length)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or tail_length - at < _END.size:
            raise ValueError("no end of central directory")
        _sig, _disk, _start, _here, count, length, offset, _comment = _END.unpack_from(tail, at)
        if 0xFFFF in (count,) or 0xFFFFFFFF in (length, offset):
            locator = tail[at - _END64_LOCATOR.size : at] if at >= _END64_LOCATOR.size else b""
            if not locator.startswith(b"PK\x06\x07"):
                raise ValueError("no ZIP64 locator")
            file.seek(_END64_LOCATOR.unpack(locator)[2])
            record = file.read(_END64.size)
            if len(record) < _END64.size or not record.startswith(b"PK\x06\x06"):
                raise ValueError("no ZIP64 end record")
            *_ignored, count, length, offset = _END64.unpack(record)
        if count > limit:
            raise TooManyEntries(count)
        if offset + length > size:
            raise ValueError("central directory beyond the end of the file")
        file.seek(offset)
        for _index in range(count):
            header = file.read(_ENTRY.size)
            if len(header) < _ENTRY.size or not header.startswith(b"PK\x01\x02"):
                raise ValueError("broken central directory")
            _sig, name_length, extra_length, comment_length = _ENTRY.unpack(header)
            yield file.read(name_length).decode("utf-8", "replace")
            file.seek(extra_length + comment_length, 1)


def _zip_kind(path: str) -> str | None:
    """DOCX, XLSX and OFD by the entries they must have, else a plain ZIP; None when the
    archive is unreadable."""
    content_types = word = excel = ofd = False
    try:
        for name in _zip_names(path, settings.EVIDENCE_ZIP_MAX_ENTRIES):
            content_types |= name == "[Content_Types].xml"
            word |= name.startswith("word/")
            excel |= name.startswith("xl/")
            ofd |= name == "OFD.xml"
    except (ValueError, OSError, struct.error):
        return None
    if content_types and word:
        return "docx"
    if content_types and excel:
        return "xlsx"
    return "ofd" if ofd else "zip"


def check(path: str, name: str, size: int) -> Detected:
    """Accept the file or raise RefusedFile with the reason."""
    if size == 0:
        raise RefusedFile(_("The file “%(name)s” is empty.") % {"name": name})
    extension = extension_of(name)
    if extension not in ALLOWED_EXTENSIONS:
        raise RefusedFile(
            _("“%(name)s” is not a file type the portal accepts. Accepted: %(allowed)s.")
            % {"name": name, "allowed": ", ".join(ALLOWED_EXTENSIONS)}
        )
    try:
        kind = sniff(path)
    except TooManyEntries as error:
        raise RefusedFile(
            _(
                "“%(name)s” holds %(count)s files; the portal accepts archives of at most %(limit)s. Split it into several ZIP files and upload those."
            )
            % {
                "name": name,
                "count": f"{error.args[0]:,}",
                "limit": f"{settings.EVIDENCE_ZIP_MAX_ENTRIES:,}",
            }
        ) from None
    if kind is None:
        raise RefusedFile(
            _(
                "“%(name)s” is not really a %(ext)s file (its content is of another kind). Save it again as PDF, Word, Excel, WPS, OFD, JPG, PNG or ZIP and upload that."
            )
            % {"name": name, "ext": extension.upper()}
        )
    if extension not in EXTENSIONS[kind]:
        raise RefusedFile(
            _(
                "“%(name)s” is named .%(ext)s but its content is %(kind)s. Rename it to match its content, or save it in the right format."
            )
            % {"name": name, "ext": extension, "kind": KIND_LABELS[kind]}
        )
    return Detected(kind=kind, extension=extension)
