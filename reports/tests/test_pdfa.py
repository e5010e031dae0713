"""Every document the portal issues is PDF/A with its title, author and date in the
metadata (issue 30: archived as GB/T 18894 asks)."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from audit_portal.testing import persona_user
from checklist.tests.helpers import audit_of
from procedure import notices
from rectification.tests.helpers import finalized
from reports import data, pdf
from reports.models import IssuedReport


def pdfa_facts(content: bytes) -> dict:
    reader = PdfReader(io.BytesIO(content))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    info = reader.metadata
    return {
        "pdfa": 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp,
        "title": info.title,
        "author": info.author,
        "created": info.get("/CreationDate", ""),
    }


def test_an_issued_report_is_pdfa_with_its_metadata(manager):
    finalized("004", manager)
    facts = pdfa_facts(bytes(IssuedReport.objects.get().content))
    today = timezone.localdate().strftime("%Y%m%d")
    assert facts == {
        "pdfa": True,
        "title": "2023年度稽核报告 · 朝阳",
        "author": "中国职工保险互助会北京办事处",
        "created": f"D:{today}",
    }


@pytest.mark.parametrize("kind", ["circular", "scoring_form", "notice"])
def test_every_other_document_is_too(manager, kind):
    audit = audit_of("004")
    if kind == "circular":
        content = pdf.circular_pdf(data.circular(audit.cycle))
    elif kind == "scoring_form":
        content = pdf.scoring_form_pdf(data.scoring_form(audit))
    else:
        audit.auditors.add(persona_user("auditor"))
        content = bytes(
            notices.issue_notice(
                audit=audit,
                by=manager,
                terms=notices.NoticeTerms("2023年度", "孟主任", "010-1", "—"),
            ).content
        )
    facts = pdfa_facts(content)
    assert facts["pdfa"] and facts["author"] == "中国职工保险互助会北京办事处"
    assert facts["title"] and facts["created"].startswith("D:")
