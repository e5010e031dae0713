"""Documents and their files: every write to them is here.

A stored file and its row come and go together. The file is stored first and the row
written in a transaction; if the transaction fails the file is deleted again. A row is
deleted first and its file only once that deletion is committed. A crash between the two
steps can leave a stored file without a row, never a row without its file;
``manage.py cleanup_evidence`` removes such files.
"""

import logging
import unicodedata
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from agencies.access import can_review_documents, can_upload
from agencies.models import Audit, AuditStatus
from common import mail
from notifications.models import Kind
from notifications.services import agency_staff, notify

from . import filetypes
from .filetypes import RefusedFile
from .models import (
    DocumentRequest,
    DocumentStatus,
    EvidenceEvent,
    EvidenceFile,
    Reminder,
    RequiredDocument,
    StandardEvidence,
    evidence_storage,
)

logger = logging.getLogger("portal.reminders")

MAX_NAME_LENGTH = 150


class DocumentError(Exception):
    """A step the rules refuse; the message is for the user."""


class NotAllowed(DocumentError):
    pass


def clean_name(name: str) -> str:
    """The name to show and download under: no path, no control characters, not too long."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise RefusedFile(
            _(
                "The file name contains invisible control characters; rename the file and upload it again."
            )
        )
    if not name or name.startswith("."):
        raise RefusedFile(_("The file has no usable name; rename it and upload it again."))
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        keep = MAX_NAME_LENGTH - len(extension) - 2
        name = f"{stem[:keep]}…{dot}{extension}" if dot else name[:MAX_NAME_LENGTH]
    return name


def is_overdue(audit: Audit, status: str, today=None) -> bool:
    deadline = audit.cycle.document_deadline
    today = today or timezone.localdate()
    return (
        bool(deadline)
        and today > deadline
        and status in (DocumentStatus.MISSING, DocumentStatus.RETURNED)
    )


@dataclass
class DocumentRow:
    """One required document of an audit as the documents page shows it."""

    document: RequiredDocument
    request: DocumentRequest | None
    files: list = field(default_factory=list)
    overdue: bool = False

    @property
    def status(self) -> str:
        return self.request.status if self.request else DocumentStatus.MISSING

    @property
    def status_label(self) -> str:
        return DocumentStatus(self.status).label

    @property
    def previous_report(self):
        """The issued report the portal attached (reports.PreviousReport.report), or None."""
        attached = getattr(self.request, "previous_report", None)
        return attached.report if attached is not None else None


def document_rows(audit: Audit) -> list[DocumentRow]:
    """The audit's required documents with their requests and files (3 queries)."""
    by_document = {
        r.document_id: r
        for r in DocumentRequest.objects.filter(audit=audit)
        # previous_report: reports.PreviousReport, by its reverse name (the 前次稽核报告
        # the portal attached); its PDF is not read here
        .select_related("reviewed_by", "previous_report__report__audit__cycle")
        .defer("previous_report__report__content")
        .prefetch_related("files__uploaded_by")
    }
    rows = []
    for document in RequiredDocument.objects.filter(cycle_id=audit.cycle_id).order_by("number"):
        request = by_document.get(document.pk)
        row = DocumentRow(document, request, list(request.files.all()) if request else [])
        row.overdue = is_overdue(audit, row.status)
        rows.append(row)
    return rows


def _lock(audit: Audit) -> Audit:
    return (
        Audit.objects.select_for_update(of=("self",))
        .select_related("cycle", "agency")
        .get(pk=audit.pk)
    )


def _request_for(audit: Audit, document: RequiredDocument) -> DocumentRequest:
    request, _created = DocumentRequest.objects.select_for_update().get_or_create(
        audit=audit, document=document
    )
    return request


def _refuse_unless_open(audit: Audit, request: DocumentRequest | None = None):
    if audit.status == AuditStatus.FINALIZED:
        raise DocumentError(_("This audit is finalized; no more files can be added or removed."))
    if request is not None and request.status == DocumentStatus.ACCEPTED:
        raise DocumentError(
            _("This document has been accepted; ask the auditor if something must change.")
        )


def store_upload(*, audit: Audit, document: RequiredDocument, upload, by) -> EvidenceFile:
    """Check an upload and keep it as a file of the document, or raise with the reason."""
    _refuse_unless_open(audit)
    if not can_upload(by, audit):
        raise NotAllowed(_("You may not upload files for this agency."))

    def file_of_the_document(locked: Audit):
        _refuse_unless_open(locked)
        request = _request_for(locked, document)
        _refuse_unless_open(locked, request)
        deadline = locked.cycle.document_deadline

        def then(stored: EvidenceFile) -> None:
            if request.status != DocumentStatus.SUBMITTED:
                request.status = DocumentStatus.SUBMITTED
                request.submitted_at = request.submitted_at or timezone.now()
                request.save(update_fields=["status", "submitted_at"])
            EvidenceEvent.objects.create(
                request=request,
                action=EvidenceEvent.Action.UPLOADED,
                actor=by,
                detail=stored.original_name,
            )

        late = bool(deadline) and timezone.localdate() > deadline
        return {"request": request, "is_late": late}, then

    return keep_upload(audit=audit, upload=upload, by=by, place=file_of_the_document)


def keep_upload(*, audit: Audit, upload, by, place) -> EvidenceFile:
    """The one upload pipeline, for files of every kind (documents, rectification proof).

    The name, size and content are checked and the file is stored privately; then, in one
    transaction with the audit locked, ``place(audit)`` says where the file belongs (or
    raises): it returns the file's fields (``request``, ``is_late``) and a function called
    with the new row. Whatever refuses, the stored file is deleted again.
    """
    if getattr(upload, "too_large", False):
        raise RefusedFile(
            _(
                "“%(name)s” is larger than %(limit)s, the largest file the portal accepts. Split it or reduce its size."
            )
            % {"name": upload.name, "limit": filesizeformat(settings.EVIDENCE_MAX_UPLOAD_BYTES)}
        )
    name = clean_name(upload.name)
    detected = filetypes.check(upload.temporary_file_path(), name, upload.size)

    storage = evidence_storage()
    key = storage.save(f"{audit.cycle.year}/{audit.agency.code}/{uuid.uuid4().hex}", upload)
    try:
        with transaction.atomic():
            locked = _lock(audit)
            fields, then = place(locked)
            duplicate = (
                EvidenceFile.objects.filter(audit=locked, sha256=upload.sha256)
                .order_by("id")
                .first()
            )
            stored = EvidenceFile.objects.create(
                audit=locked,
                key=key,
                original_name=name,
                kind=detected.kind,
                size=upload.size,
                sha256=upload.sha256,
                uploaded_by=by,
                duplicate_of=duplicate,
                **fields,
            )
            then(stored)
    except BaseException:
        storage.delete(key)
        raise
    return stored


@transaction.atomic
def remove_file(*, file: EvidenceFile, by) -> None:
    """Remove an uploaded file while its document is not accepted (uploader or office)."""
    audit = _lock(file.request.audit)
    request = DocumentRequest.objects.select_for_update().get(pk=file.request_id)
    _refuse_unless_open(audit, request)
    if not (file.uploaded_by_id == by.pk or can_review_documents(by, audit)):
        raise NotAllowed(_("Only the person who uploaded a file, or an auditor, can remove it."))
    key, name = file.key, file.original_name
    file.delete()
    if not request.files.exists():
        request.status = DocumentStatus.MISSING
        request.save(update_fields=["status"])
    EvidenceEvent.objects.create(
        request=request, action=EvidenceEvent.Action.REMOVED, actor=by, detail=name
    )
    transaction.on_commit(lambda: evidence_storage().delete(key))


@transaction.atomic
def accept_documents(*, audit: Audit, documents, by) -> int:
    """Accept submitted documents (several at once); returns how many were accepted."""
    audit = _lock(audit)
    if not can_review_documents(by, audit):
        raise NotAllowed(
            _("Only managers and the assigned auditors review this agency's documents.")
        )
    accepted = 0
    for document in documents:
        request = _request_for(audit, document)
        if request.status != DocumentStatus.SUBMITTED:
            continue
        request.status = DocumentStatus.ACCEPTED
        request.return_reason = ""
        request.reviewed_by, request.reviewed_at = by, timezone.now()
        request.save()
        EvidenceEvent.objects.create(
            request=request, action=EvidenceEvent.Action.ACCEPTED, actor=by
        )
        accepted += 1
    return accepted


@transaction.atomic
def return_document(
    *, audit: Audit, document: RequiredDocument, by, reason: str
) -> DocumentRequest:
    """Send a document back for more, saying what is missing."""
    audit = _lock(audit)
    if not can_review_documents(by, audit):
        raise NotAllowed(
            _("Only managers and the assigned auditors review this agency's documents.")
        )
    if not reason.strip():
        raise DocumentError(_("Say what is missing or wrong, so the agency knows what to upload."))
    request = _request_for(audit, document)
    if request.status not in (DocumentStatus.SUBMITTED, DocumentStatus.ACCEPTED):
        raise DocumentError(_("Only a submitted or accepted document can be returned."))
    request.status = DocumentStatus.RETURNED
    request.return_reason = reason.strip()
    request.reviewed_by, request.reviewed_at = by, timezone.now()
    request.save()
    event = EvidenceEvent.objects.create(
        request=request, action=EvidenceEvent.Action.RETURNED, actor=by, detail=reason.strip()
    )
    notify(
        kind=Kind.DOCUMENT_RETURNED,
        key=f"document_returned:{event.pk}",
        text=_("%(year)s: document %(number)s (%(name)s) was returned for more: %(reason)s")
        % {
            "year": audit.cycle.year,
            "number": document.number,
            "name": document.short_name or Truncator(document.title).chars(24),
            "reason": reason.strip(),
        },
        link=reverse("documents", args=[audit.cycle.year, audit.agency.code]),
        recipients=agency_staff(audit),
        audit=audit,
    )
    return request


def missing_counts(cycle) -> dict[int, int]:
    """Audit id -> how many of its required documents are 未提交 or 退回补充."""
    total = RequiredDocument.objects.filter(cycle=cycle).count()
    done = {}
    for audit_id, status in DocumentRequest.objects.filter(audit__cycle=cycle).values_list(
        "audit_id", "status"
    ):
        if status in (DocumentStatus.SUBMITTED, DocumentStatus.ACCEPTED):
            done[audit_id] = done.get(audit_id, 0) + 1
    return {
        audit_id: total - done.get(audit_id, 0)
        for audit_id in cycle.audits.values_list("id", flat=True)
    }


@dataclass
class Reminders:
    """What ``remind_agencies`` did: the reminders sent and the ones that failed (each
    recorded, with the reason in Chinese)."""

    sent: list = field(default_factory=list)
    failed: list = field(default_factory=list)


def remind_agencies(*, cycle, by) -> Reminders:
    """E-mail the staff of every agency with missing or returned documents, and record
    each reminder, sent or not.

    Agencies whose staff have no e-mail address are skipped (and not recorded). One SMTP
    connection serves them all; a server that cannot be reached fails once (within
    EMAIL_TIMEOUT), not once per agency, and a refused message fails only its agency.
    Every reminder is recorded as soon as its fate is known, so a failure later on never
    loses the record of the ones already sent.
    """
    from accounts.models import Role, User

    missing = missing_counts(cycle)
    outbox = []
    for audit in cycle.audits.select_related("agency"):
        count = missing.get(audit.pk, 0)
        if not count or audit.status == AuditStatus.FINALIZED:
            continue
        recipients = list(
            User.objects.filter(role=Role.AGENCY_STAFF, agency_id=audit.agency_id, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if not recipients:
            continue
        link = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
            "documents", args=[cycle.year, audit.agency.code]
        )
        deadline = (
            f"资料提交截止日期为 {cycle.document_deadline.isoformat()}。"
            if cycle.document_deadline
            else ""
        )
        message = EmailMessage(
            subject=f"【{settings.PORTAL_OFFICE_NAME}】{cycle.title}：请尽快提交稽核资料",
            body=(
                f"{audit.agency.name}：\n\n"
                f"{cycle.title}尚有 {count} 项稽核前资料未提交或被退回补充。"
                f"{deadline}请登录稽核管理平台上传：\n{link}\n\n"
                f"{settings.PORTAL_OFFICE_NAME}"
            ),
            to=recipients,
        )
        outbox.append((audit, count, recipients, message))
    result = Reminders()
    if not outbox:
        return result

    def note(audit, count, recipients, error=None):
        reminder = Reminder.objects.create(
            audit=audit,
            sent_by=by,
            recipients=", ".join(recipients),
            missing=count,
            error=mail.failure_reason(error) if error else "",
        )
        (result.failed if error else result.sent).append(reminder)

    # each reminder is recorded as soon as its fate is known
    outcomes = mail.deliver([message for *_, message in outbox])
    for (audit, count, recipients, _message), error in zip(outbox, outcomes, strict=True):
        note(audit, count, recipients, error)
    return result


@transaction.atomic
def link_files(*, audit: Audit, standard, files, by) -> None:
    """Make ``files`` the evidence cited for ``standard`` (links others are removed)."""
    from agencies.access import can_edit_scores

    if not can_edit_scores(by, audit):
        raise NotAllowed(_("Only the assigned auditors and managers can change these scores."))
    wanted = {f.pk for f in files}
    if any(f.request.audit_id != audit.pk for f in files):
        raise DocumentError(_("Only this agency's files can be cited."))
    StandardEvidence.objects.filter(audit=audit, standard=standard).exclude(
        file_id__in=wanted
    ).delete()
    existing = set(
        StandardEvidence.objects.filter(audit=audit, standard=standard).values_list(
            "file_id", flat=True
        )
    )
    StandardEvidence.objects.bulk_create(
        StandardEvidence(audit=audit, standard=standard, file_id=pk, linked_by=by)
        for pk in wanted - existing
    )


def store_bytes(
    *, audit: Audit, document: RequiredDocument, name: str, content: bytes, by
) -> EvidenceFile:
    """store_upload for content already in hand (demo data, imports): same checks, same path."""
    import hashlib

    from .uploads import EvidenceUpload

    upload = EvidenceUpload(name, "application/octet-stream", None, None)
    try:
        upload.write(content)
        upload.hash = hashlib.sha256(content)
        upload.size = len(content)
        upload.flush()  # the type check reads the file by its path
        return store_upload(audit=audit, document=document, upload=upload, by=by)
    finally:
        upload.close()
