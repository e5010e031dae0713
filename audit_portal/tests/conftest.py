"""Fixtures shared by the walks over every URL (permission matrix, hostile input)."""

import pytest
from django.utils import timezone

from audit_portal.testing import persona_user


@pytest.fixture
def assigned_to_chaoyang(db):
    """The "assigned" persona is one of 朝阳's (004) auditors, not 怀柔's (007)."""
    from checklist.tests.helpers import audit_of

    audit_of("004").auditors.add(persona_user("assigned"))


@pytest.fixture
def evidence_file(db, staff004):
    """A file of 朝阳's first document, uploaded by its staff (for the file URLs)."""
    from checklist.tests.helpers import audit_of
    from evidence import services
    from evidence.models import RequiredDocument

    audit = audit_of("004")
    document = RequiredDocument.objects.get(cycle=audit.cycle, number=1)
    stored = services.store_bytes(
        audit=audit, document=document, name="制度.pdf", content=b"%PDF-1.4 matrix", by=staff004
    )
    yield stored
    from evidence.models import evidence_storage

    evidence_storage().delete(stored.key)


def _finished_bundle(manager, kind):
    """A finished bundle of ``kind`` with a small file in the bundles folder; the file goes
    when the test ends."""
    from agencies.models import Cycle
    from reports import bundles
    from reports.models import ReportBundle

    name = bundles.new_file_name(kind)
    (bundles.root() / name).write_bytes(b"PK\x05\x06" + b"\0" * 18)
    bundle = ReportBundle.objects.create(
        cycle=Cycle.objects.get(year=2023),
        kind=kind,
        requested_by=manager,
        status="done",
        total=1,
        done=1,
        file_name=name,
        size=22,
        finished_at=timezone.now(),
    )
    yield bundle
    (bundles.root() / name).unlink(missing_ok=True)


@pytest.fixture
def report_bundle(db, manager):
    """A finished ZIP of the cycle's reports (for the bundle URLs)."""
    yield from _finished_bundle(manager, "reports_zip")


@pytest.fixture
def circular_export(db, manager):
    """A large cycle's circular (Excel) as the worker leaves it (for the bundle URLs)."""
    yield from _finished_bundle(manager, "circular_xlsx")


@pytest.fixture
def every_model_has_a_row(
    manager, evidence_file, rectification_item, proof_file, extension_request, item_reminder
):
    """A row of every model the admin shows, so that its change pages can be opened."""
    from checklist import problem_types
    from checklist.tests.helpers import audit_of, save
    from evidence.models import Reminder
    from reports.models import IssuedReport, RectificationReport, ReportBundle
    from security.events import record
    from security.models import Kind

    audit = audit_of("004")
    save(audit, "1-1", manager, result="compliant")
    problem_types.load()  # the 问题库's types and wordings
    Reminder.objects.create(audit=audit, sent_by=manager, missing=9)
    IssuedReport.objects.create(
        audit=audit,
        version=1,
        number="n",
        content=b"%PDF",
        sha256="0" * 64,
        size=4,
        issued_by=manager,
    )
    RectificationReport.objects.create(
        audit=audit,
        version=1,
        number="n",
        content=b"%PDF",
        sha256="0" * 64,
        size=4,
        issued_by=manager,
    )
    ReportBundle.objects.create(cycle=audit.cycle, requested_by=manager, status="done", total=0)
    record(Kind.DENIED, user=manager, target="x", status=403)
    from archives.models import ArchivePackage
    from procedure.models import AuditNotice, DraftReport

    ArchivePackage.objects.create(audit=audit, number="n", requested_by=manager, status="failed")

    AuditNotice.objects.create(
        audit=audit,
        version=1,
        sequence=1,
        number="n",
        content=b"%PDF",
        sha256="0" * 64,
        size=4,
        issued_by=manager,
    )
    DraftReport.objects.create(
        audit=audit,
        version=1,
        number="n",
        content=b"%PDF",
        sha256="0" * 64,
        size=4,
        sent_by=manager,
        reply_due=timezone.localdate(),
    )
    from notifications.models import Message, Robot

    robot = Robot.objects.create(name="群", kind="wecom", webhook="https://example.org/?key=k")
    Message.objects.create(channel="wecom", robot=robot, status="failed", error="x")


@pytest.fixture
def rectification_item(db, manager):
    """A submitted rectification item of 朝阳 (004), for the rectification URLs."""
    from datetime import timedelta

    from checklist.models import Standard
    from checklist.tests.helpers import audit_of
    from rectification.models import ItemEvent, RectificationItem

    audit = audit_of("004")
    item = RectificationItem.objects.create(
        audit=audit,
        standard=Standard.objects.get(category__cycle=audit.cycle, category__position=1, number=2),
        result="non_compliant",
        finding="会议记录无分管领导签字。",
        requirement="建立季度汇报制度。",
        deadline=timezone.localdate() + timedelta(days=30),
        status="submitted",
        measures="已建立季度汇报制度。",
        responsible="张三",
        completed_on=timezone.localdate(),
    )
    ItemEvent.objects.create(item=item, action=ItemEvent.Action.CREATED, actor=manager)
    return item


@pytest.fixture
def item_reminder(rectification_item):
    from rectification.models import ItemReminder

    return ItemReminder.objects.create(
        item=rectification_item, kind="manual", deadline=rectification_item.deadline
    )


@pytest.fixture
def extension_request(rectification_item, staff004):
    from datetime import timedelta

    from rectification.models import ExtensionRequest

    return ExtensionRequest.objects.create(
        item=rectification_item,
        proposed_deadline=rectification_item.deadline + timedelta(days=30),
        reason="搬迁",
        requested_by=staff004,
    )


@pytest.fixture
def proof_file(rectification_item, staff004):
    """A proof file of the rectification item (for the proof URLs)."""
    from django.core.files.base import ContentFile

    from evidence.models import EvidenceFile, evidence_storage
    from rectification.models import ProofFile

    content = b"%PDF-1.4 proof"
    key = evidence_storage().save("2023/004/matrix-proof", ContentFile(content))
    file = EvidenceFile.objects.create(
        audit=rectification_item.audit,
        key=key,
        original_name="会议记录.pdf",
        kind="pdf",
        size=len(content),
        sha256="1" * 64,
        uploaded_by=staff004,
    )
    ProofFile.objects.create(item=rectification_item, file=file)
    yield file
    evidence_storage().delete(key)


@pytest.fixture
def audit_notice(db, assigned_to_chaoyang, manager):
    """朝阳's (004) 稽核通知书, issued and not signed for yet."""
    from checklist.tests.helpers import audit_of
    from procedure import notices

    return notices.issue_notice(
        audit=audit_of("004"),
        by=manager,
        terms=notices.NoticeTerms(
            audit_period="2023年度", contact_name="孟主任", contact_phone="010-1", preparation="—"
        ),
    )


@pytest.fixture
def draft_for_comments(db, assigned_to_chaoyang, manager):
    """朝阳's (004) 征求意见稿, sent and waiting for the reply (made directly: the matrix asks
    who gets what, procedure/tests how it comes to be)."""
    from datetime import timedelta

    from agencies.models import AuditStatus
    from checklist.tests.helpers import audit_of, standard
    from procedure.models import DraftProblem, DraftReport

    audit = audit_of("004")
    audit.status = AuditStatus.UNDER_REVIEW
    audit.save(update_fields=["status"])
    draft = DraftReport.objects.create(
        audit=audit,
        version=1,
        number="稽核征〔2023〕004号",
        content=b"%PDF-1.4 matrix",
        sha256="0" * 64,
        size=15,
        sent_by=manager,
        reply_due=timezone.localdate() + timedelta(days=10),
    )
    DraftProblem.objects.create(draft=draft, standard=standard("1-2"), finding="问题")
    return draft


@pytest.fixture
def archived_chaoyang(db, manager):
    """朝阳's (004) audit archived: a stored package (made directly: the matrix asks who gets
    what, archives/tests how it comes to be)."""
    from django.core.files.base import ContentFile

    from archives.models import ArchivePackage
    from archives.storage import archive_storage
    from checklist.tests.helpers import audit_of

    audit = audit_of("004")
    name = archive_storage().save("2023/matrix.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    archive = ArchivePackage.objects.create(
        audit=audit,
        number="京互稽档-2023-004",
        requested_by=manager,
        status="done",
        file_name=name,
        size=22,
        finished_at=timezone.now(),
        longest_retention="永久",
    )
    yield archive
    archive_storage().delete(name)


@pytest.fixture
def issued_report_of_chaoyang(db, manager):
    """朝阳's (004) audit finalized with its report issued (made directly: the matrix asks
    who may read it, reports/tests how it is issued)."""
    from checklist.tests.helpers import audit_of
    from common.documents import FrozenDocument
    from reports.models import IssuedReport

    audit = audit_of("004")
    audit.status = "finalized"
    audit.finalized_at = timezone.now()
    audit.save(update_fields=["status", "finalized_at"])
    return IssuedReport.objects.create(
        audit=audit,
        version=1,
        number="稽核〔2023〕004号",
        issued_by=manager,
        **FrozenDocument.frozen(b"%PDF-1.7 matrix"),
    )
