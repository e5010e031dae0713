"""Issuing reports: the one place a report number and frozen PDF come into being."""

import hashlib

from django.db import transaction
from django.db.models import Max

from agencies.models import Audit
from checklist import services as checklist_services
from rectification import services as rectification

from . import data, pdf
from .models import IssuedReport, RectificationReport


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


class RectificationReportRefused(Exception):
    """The 整改情况报告 cannot be issued yet; the message says why."""


@transaction.atomic
def issue_rectification_report(*, audit: Audit, by) -> RectificationReport:
    """A manager issues the 整改情况报告 once every item is closed: numbered, rendered once,
    kept with its SHA-256."""
    from django.utils.translation import gettext as _

    from rectification.models import ItemStatus, RectificationItem

    audit = (
        Audit.objects.select_for_update(of=("self",))
        .select_related("cycle", "agency")
        .get(pk=audit.pk)
    )
    if not by.is_manager:
        raise RectificationReportRefused(_("Only a manager issues the rectification report."))
    live = RectificationItem.objects.filter(audit=audit, withdrawn=False)
    if not live.exists():
        raise RectificationReportRefused(_("This audit has no rectification item to report on."))
    if live.exclude(status=ItemStatus.CLOSED).exists():
        raise RectificationReportRefused(
            _("Every item must be closed (销号) before the rectification report is issued.")
        )
    previous = RectificationReport.objects.filter(audit=audit).order_by("-version").first()
    if previous and not live.filter(closed_at__gt=previous.issued_at).exists():
        raise RectificationReportRefused(
            _("The rectification report %(number)s was already issued; nothing was closed since.")
            % {"number": previous.number}
        )
    version = (previous.version if previous else 0) + 1
    number = f"整改〔{audit.cycle.year}〕{audit.agency.code}号"
    if version > 1:
        number += f"（第{version}版）"
    content = pdf.rectification_report_pdf(data.rectification_report(audit, number=number))
    return RectificationReport.objects.create(
        audit=audit,
        version=version,
        number=number,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        issued_by=by,
    )
