"""Issuing reports: the one place a report number and frozen PDF come into being."""

import hashlib

from django.db import transaction
from django.db.models import Max

from agencies.models import Audit
from checklist import services as checklist_services
from rectification import services as rectification

from . import data, pdf
from .models import IssuedReport


def issue_report(*, audit: Audit, by) -> IssuedReport:
    """Render the finalized audit's report once, number it and keep its bytes and SHA-256."""
    version = (IssuedReport.objects.filter(audit=audit).aggregate(v=Max("version"))["v"] or 0) + 1
    number = audit.cycle.report_number(audit.agency, version)
    content = pdf.agency_report_pdf(data.agency_report(audit, number=number))
    return IssuedReport.objects.create(
        audit=audit,
        version=version,
        number=number,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        issued_by=by,
    )


@transaction.atomic
def finalize_and_issue(*, audit: Audit, by) -> IssuedReport:
    """Finalize an audit under review, issue its report and bring its rectification items
    in line with the report's findings: all of it or none."""
    audit = checklist_services.finalize_audit(audit=audit, by=by)
    report = issue_report(audit=audit, by=by)
    rectification.reconcile_items(audit=audit, by=by)
    return report
