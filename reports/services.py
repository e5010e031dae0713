"""Issuing reports: the one place a report number and frozen PDF come into being."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Audit, Cycle
from checklist import services as checklist_services
from common.documents import FrozenDocument
from evidence.models import DocumentRequest, DocumentStatus
from notifications.models import Kind
from notifications.services import agency_staff, notify
from procedure import drafts
from rectification import services as rectification

from . import data, pdf
from .models import IssuedReport, PreviousReport, RectificationReport


def issue_report(*, audit: Audit, by) -> IssuedReport:
    """Render the finalized audit's report once, number it and keep its bytes and SHA-256."""
    version = (IssuedReport.objects.filter(audit=audit).aggregate(v=Max("version"))["v"] or 0) + 1
    number = audit.cycle.report_number(audit.agency, version)
    content = pdf.agency_report_pdf(data.agency_report(audit, number=number))
    return IssuedReport.objects.create(
        audit=audit,
        version=version,
        number=number,
        **FrozenDocument.frozen(content),
        issued_by=by,
    )


@transaction.atomic
def send_draft(*, audit: Audit, by):
    """征求意见稿: the report as it stands, marked so, numbered, rendered once and kept, sent
    to the agency for its written reply (procedure.drafts keeps it and says when)."""
    audit = (
        Audit.objects.select_for_update(of=("self",))
        .select_related("cycle", "agency")
        .get(pk=audit.pk)
    )
    version = drafts.require_can_send(audit, by)
    number = audit.cycle.draft_number(audit.agency, version)
    due = timezone.localdate() + timedelta(days=audit.cycle.draft_reply_days)
    content = pdf.agency_report_pdf(data.agency_report(audit, number=number, reply_due=due))
    return drafts.record_draft(
        audit=audit, by=by, version=version, number=number, content=content, reply_due=due
    )


@transaction.atomic
def finalize_and_issue(*, audit: Audit, by) -> IssuedReport:
    """Finalize an audit under review, issue its report and bring its rectification items
    in line with the report's findings: all of it or none. With the cycle's draft step on,
    only after the agency's written reply to the 征求意见稿 (or its deadline) and the answers
    to its objections."""
    drafts.require_ready_to_finalize(audit, by=by)
    audit = checklist_services.finalize_audit(audit=audit, by=by)
    report = issue_report(audit=audit, by=by)
    rectification.reconcile_items(audit=audit, by=by)
    notify(
        kind=Kind.REPORT_ISSUED,
        key=f"report_issued:{report.pk}",
        text=_("%(year)s: audit report %(number)s was issued; its rectification items are open.")
        % {"year": audit.cycle.year, "number": report.number},
        link=reverse("audit_detail", args=[audit.cycle.year, audit.agency.code]),
        recipients=agency_staff(audit),
        audit=audit,
    )
    following = Cycle.objects.filter(previous_id=audit.cycle_id).first()
    if following is not None:
        attach_previous_reports(following, agencies=[audit.agency_id])
    return report


@transaction.atomic
def attach_previous_reports(cycle: Cycle, *, agencies=None) -> int:
    """Satisfy the cycle's 前次稽核报告 document with each agency's latest report of the
    previous cycle (of ``agencies`` only, when given); returns how many were attached.

    A document nobody has touched is accepted with the report attached; one already attached
    follows the report's latest version. A document the agency uploaded a copy for, or the
    office gave a verdict on, is left as people made it.
    """
    documents = list(cycle.required_documents.filter(is_previous_report=True))
    if cycle.previous_id is None or not documents:
        return 0
    audits = Audit.objects.filter(cycle=cycle)
    if agencies is not None:
        audits = audits.filter(agency_id__in=agencies)
    audit_of = dict(audits.values_list("agency_id", "id"))
    latest = {}
    for report in (
        IssuedReport.objects.filter(
            audit__cycle_id=cycle.previous_id, audit__agency_id__in=audit_of
        )
        .defer("content")
        .select_related("audit")
        .order_by("audit_id", "-version")
    ):
        latest.setdefault(audit_of[report.audit.agency_id], report)
    existing = {
        (request.audit_id, request.document_id): request
        for request in DocumentRequest.objects.filter(
            audit_id__in=latest, document__in=documents
        ).select_related("previous_report")
    }
    now, attached, new_requests, moved = timezone.now(), 0, [], []
    for audit_id, report in latest.items():
        for document in documents:
            request = existing.get((audit_id, document.pk))
            if request is None:
                new_requests.append(
                    DocumentRequest(
                        audit_id=audit_id,
                        document=document,
                        status=DocumentStatus.ACCEPTED,
                        submitted_at=now,
                        reviewed_at=now,
                    )
                )
            elif hasattr(request, "previous_report"):
                if request.previous_report.report_id != report.pk:
                    request.previous_report.report = report
                    request.previous_report.attached_at = now
                    moved.append(request.previous_report)
            else:
                continue
            attached += 1
    created = DocumentRequest.objects.bulk_create(new_requests, batch_size=500)
    PreviousReport.objects.bulk_create(
        (PreviousReport(request=request, report=latest[request.audit_id]) for request in created),
        batch_size=500,
    )
    PreviousReport.objects.bulk_update(moved, ["report", "attached_at"], batch_size=500)
    return attached


class RectificationReportRefused(Exception):
    """The 整改情况报告 cannot be issued yet; the message says why."""


@transaction.atomic
def issue_rectification_report(*, audit: Audit, by) -> RectificationReport:
    """A manager issues the 整改情况报告 once every item is closed: numbered, rendered once,
    kept with its SHA-256."""
    from rectification.models import ItemStatus, RectificationItem

    audit = (
        Audit.objects.select_for_update(of=("self",))
        .select_related("cycle", "agency")
        .get(pk=audit.pk)
    )
    if not by.is_manager:
        raise RectificationReportRefused(_("Only a manager issues the rectification report."))
    if audit.archived_at is not None:
        raise RectificationReportRefused(
            _("This audit is archived (稽核档案): revoke the archiving first.")
        )
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
        **FrozenDocument.frozen(content),
        issued_by=by,
    )
