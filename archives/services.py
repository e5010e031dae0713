"""Archiving: which audits may be archived, asking for their packages (built by the worker,
archives.tasks), the lock on an archived audit, 撤销归档, and the 四性检测 of a stored package."""

import hashlib
import uuid

from django.core.files import File
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Audit, AuditEvent, AuditStatus
from rectification.models import ItemStatus, RectificationItem
from reports.models import IssuedReport

from . import package
from .models import ArchivePackage
from .storage import archive_storage, workspace
from .verify import Report, verify

LIVE = (ArchivePackage.Status.QUEUED, ArchivePackage.Status.BUILDING, ArchivePackage.Status.DONE)
RETENTION_ORDER = ("10年", "30年", "永久")


class ArchiveRefused(Exception):
    """The step is not possible; the message says why."""


def why_not(audit: Audit) -> str:
    """Why the audit cannot be archived now ("" when it can)."""
    if audit.status != AuditStatus.FINALIZED or not audit.issued_reports.exists():
        return _("its report is not issued yet")
    if audit.archive_packages.filter(status__in=LIVE).exists():
        return _("it is archived already, or being archived")
    if (
        audit.cycle.archive_after_rectification
        and audit.rectification_items.filter(withdrawn=False).exclude(status="closed").exists()
    ):
        return _("not every rectification item is closed (a cycle setting asks for that)")
    return ""


def eligible(cycle):
    """The cycle's audits that may be archived now (one query, whatever the roster)."""
    audits = (
        Audit.objects.filter(cycle=cycle, status=AuditStatus.FINALIZED)
        .filter(Exists(IssuedReport.objects.filter(audit=OuterRef("pk"))))
        .exclude(Exists(ArchivePackage.objects.filter(audit=OuterRef("pk"), status__in=LIVE)))
    )
    if cycle.archive_after_rectification:
        audits = audits.exclude(
            Exists(
                RectificationItem.objects.filter(audit=OuterRef("pk"), withdrawn=False).exclude(
                    status=ItemStatus.CLOSED
                )
            )
        )
    return audits


def request_cycle(*, cycle, by) -> list[ArchivePackage]:
    """Queue a package for every audit of the cycle that may be archived now."""
    if not by.is_manager:
        raise ArchiveRefused(_("Only a manager archives audits."))
    audits = eligible(cycle).select_related("agency").order_by("serial")
    return ArchivePackage.objects.bulk_create(
        [
            ArchivePackage(audit=a, number=cycle.archive_number(a.agency), requested_by=by)
            for a in audits
        ],
        batch_size=500,
    )


def request(*, audits, by) -> tuple[list[ArchivePackage], list[tuple[Audit, str]]]:
    """Queue a package for each audit that may be archived; the others with the reason."""
    if not by.is_manager:
        raise ArchiveRefused(_("Only a manager archives audits."))
    queued, refused = [], []
    for audit in audits:
        reason = why_not(audit)
        if reason:
            refused.append((audit, reason))
            continue
        queued.append(
            ArchivePackage.objects.create(
                audit=audit, number=audit.cycle.archive_number(audit.agency), requested_by=by
            )
        )
    return queued, refused


def _longest(cycle) -> str:
    return max(
        (
            cycle.retention_conclusion,
            cycle.retention_proof,
            cycle.retention_initiation,
            cycle.retention_reference,
        ),
        key=RETENTION_ORDER.index,
    )


def build(archive: ArchivePackage, *, circular: bytes | None = None, render=None) -> ArchivePackage:
    """Build, check and store one queued package, then lock its audit. A failure marks the
    package failed (with the reason) and leaves no file behind. ``render``: how the
    package's documents become PDFs (``common.pdf.renderer``; here by default)."""
    claimed = ArchivePackage.objects.filter(
        pk=archive.pk, status=ArchivePackage.Status.QUEUED
    ).update(status=ArchivePackage.Status.BUILDING)
    if not claimed:
        return ArchivePackage.objects.get(pk=archive.pk)  # another worker has it
    archive = ArchivePackage.objects.select_related(
        "audit__cycle", "audit__agency", "requested_by"
    ).get(pk=archive.pk)
    partial = workspace() / f"{uuid.uuid4().hex}.zip.partial"
    name = f"{archive.audit.cycle.year}/{uuid.uuid4().hex}.zip"
    try:
        manifest = package.build(
            archive.audit,
            partial,
            by=archive.requested_by,
            circular=circular,
            render=render,
        )
        report = verify(partial, name=archive.number)
        digest = hashlib.sha256()
        with open(partial, "rb") as stream:
            for block in iter(lambda: stream.read(1024 * 1024), b""):
                digest.update(block)
            stream.seek(0)
            saved = archive_storage().save(name, File(stream))
        with transaction.atomic():
            audit = Audit.objects.select_for_update().get(pk=archive.audit_id)
            now = timezone.now()
            ArchivePackage.objects.filter(pk=archive.pk).update(
                status=ArchivePackage.Status.DONE,
                file_name=saved,
                size=partial.stat().st_size,
                sha256=digest.hexdigest(),
                files=len(manifest["文件"]),
                package_digest=manifest["包摘要"]["值"],
                longest_retention=_longest(archive.audit.cycle),
                finished_at=now,
                check_passed=report.passed,
                check_report="\n".join(report.lines()),
                checked_at=now,
            )
            audit.archived_at = now
            audit.save(update_fields=["archived_at"])
            AuditEvent.objects.create(
                audit=audit,
                action=AuditEvent.Action.ARCHIVED,
                actor=archive.requested_by,
                comment=archive.number,
            )
    except Exception as error:
        ArchivePackage.objects.filter(pk=archive.pk).update(
            status=ArchivePackage.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    finally:
        partial.unlink(missing_ok=True)
    return ArchivePackage.objects.get(pk=archive.pk)


def check(archive: ArchivePackage) -> ArchivePackage:
    """四性检测 of the stored package, again (the archive page's button)."""
    local = workspace() / f"{uuid.uuid4().hex}.zip.check"
    try:
        with archive_storage().open(archive.file_name, "rb") as stream, open(local, "wb") as out:
            for block in iter(lambda: stream.read(1024 * 1024), b""):
                out.write(block)
        report = verify(local, name=archive.number)
    except FileNotFoundError:
        # the store has lost the package: that is the check's finding, not an error page
        report = Report(package=archive.number, number=archive.number)
        report.fault("完整性", f"档案包文件在存储中找不到（{archive.file_name}）")
    finally:
        local.unlink(missing_ok=True)
    ArchivePackage.objects.filter(pk=archive.pk).update(
        check_passed=report.passed,
        check_report="\n".join(report.lines()),
        checked_at=timezone.now(),
    )
    return ArchivePackage.objects.get(pk=archive.pk)


@transaction.atomic
def revoke(*, archive: ArchivePackage, by, reason: str) -> ArchivePackage:
    """撤销归档: a manager lifts the lock, giving the reason; the package's file is kept (it
    stays the record of what was archived), and a new package is built later."""
    if not by.is_manager:
        raise ArchiveRefused(_("Only a manager revokes an archiving."))
    reason = reason.strip()
    if not reason:
        raise ArchiveRefused(_("Give the reason for revoking; it is kept in the audit's record."))
    archive = ArchivePackage.objects.select_for_update().select_related("audit").get(pk=archive.pk)
    if archive.status != ArchivePackage.Status.DONE:
        raise ArchiveRefused(_("Only an archived package can be revoked."))
    archive.status = ArchivePackage.Status.REVOKED
    archive.revoked_at, archive.revoked_by, archive.revoke_reason = (
        timezone.now(),
        by,
        reason[:2000],
    )
    archive.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
    Audit.objects.filter(pk=archive.audit_id).update(archived_at=None)
    AuditEvent.objects.create(
        audit_id=archive.audit_id,
        action=AuditEvent.Action.ARCHIVE_REVOKED,
        actor=by,
        comment=f"{archive.number}：{reason[:200]}",
    )
    return archive
