"""What a file is, judged by its content, and whether its name agrees.

Accepted (DESIGN.md): PDF, OFD, DOC/DOCX, XLS/XLSX, WPS/ET, JPG/PNG, ZIP. OOXML and OFD are
ZIP containers recognised by what they contain; old Office and WPS files by the OLE2
signature; the rest by their magic numbers.
"""

import zipfile
from dataclasses import dataclass

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


def _zip_kind(path: str) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" in names:
        if any(name.startswith("word/") for name in names):
            return "docx"
        if any(name.startswith("xl/") for name in names):
            return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"


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
    kind = sniff(path)
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
