import io

from pypdf import PdfReader

from checklist import services
from checklist.tests.helpers import audit_of, save, score_everything


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def pdf_fonts(content: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return fonts


def scored_and_submitted(code, auditor, *, shortfalls=("1-2", "2-3"), finding=None):
    audit = audit_of(code)
    audit.auditors.add(auditor)
    score_everything(audit, auditor, shortfalls=set(shortfalls))
    if finding:
        save(
            audit,
            shortfalls[0],
            auditor,
            result="non_compliant",
            points="3",
            finding=finding,
            rectification="限期整改",
        )
    services.submit_audit(audit=audit, by=auditor)
    audit.refresh_from_db()
    return audit
