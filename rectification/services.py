"""The rectification loop: items from findings, the agency's answers, the office's verification.

Every step locks its item, checks the page's version (two people may have the item open),
changes it and records an event with what changed (before → after), in one transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_manage_rectification
from agencies.access import can_answer_rectification, can_verify_rectification
from agencies.models import Audit
from checklist.models import Standard
from evidence import services as evidence
from evidence.models import EvidenceFile, evidence_storage
from notifications.models import Kind
from notifications.services import agency_staff, notify

from .models import (
    AWAITING_AGENCY,
    FINDING_RESULTS,
    ExtensionRequest,
    ExtensionStatus,
    ItemEvent,
    ItemStatus,
    ProofFile,
    RectificationItem,
)

RESPONSIBLE_MAX = 50
TEXT_MAX = 5000


class RectificationError(Exception):
    """A step refused, with the reason in words for the person who tried it."""


class NotAllowed(RectificationError):
    pass


class StalePage(RectificationError):
    """The item changed since the page was loaded; ``current`` is the item as it is now."""

    def __init__(self, current: RectificationItem):
        super().__init__(
            _(
                "Someone else changed this item while you had it open (%(who)s). Your text is kept below: compare it with the item as it is now, then save again."
            )
            % {"who": _last_actor(current)}
        )
        self.current = current


def _last_actor(item: RectificationItem) -> str:
    event = item.events.select_related("actor").order_by("-at", "-id").first()
    return f"{event.actor.display_name} {timezone.localtime(event.at):%H:%M}" if event else ""


@transaction.atomic
def reconcile_items(*, audit: Audit, by) -> None:
    """Make the audit's live items match the findings of the report being issued.

    Called by ``finalize_and_issue`` in its transaction. A finding without a live item gets
    one, due ``rectification_days`` after finalization; an item whose finding the report no
    longer lists is withdrawn (closed, with a note), never deleted; an item whose finding is
    still there is left as it was issued and answered.
    """
    findings = {
        assessment.standard_id: assessment
        for assessment in audit.assessments.filter(result__in=FINDING_RESULTS)
    }
    live = {
        item.standard_id: item
        for item in RectificationItem.objects.select_for_update().filter(
            audit=audit, withdrawn=False
        )
    }
    deadline = timezone.localdate(audit.finalized_at) + timedelta(
        days=audit.cycle.rectification_days
    )
    created = RectificationItem.objects.bulk_create(
        RectificationItem(
            audit=audit,
            standard_id=standard_id,
            result=assessment.result,
            finding=assessment.finding,
            requirement=assessment.rectification,
            deadline=deadline,
        )
        for standard_id, assessment in findings.items()
        if standard_id not in live
    )
    events = [ItemEvent(item=item, action=ItemEvent.Action.CREATED, actor=by) for item in created]
    now = timezone.now()
    for standard_id, item in live.items():
        if standard_id in findings:
            continue
        before = item.status
        item.status, item.withdrawn = ItemStatus.CLOSED, True
        item.closed_at, item.closed_by = now, by
        item.version += 1
        item.save(update_fields=["status", "withdrawn", "closed_at", "closed_by", "version"])
        events.append(
            ItemEvent(
                item=item,
                action=ItemEvent.Action.WITHDRAWN,
                actor=by,
                changes={"status": [before, item.status]},
            )
        )
    ItemEvent.objects.bulk_create(events)


def _lock(item: RectificationItem) -> RectificationItem:
    """The item, locked until the transaction ends, if its audit is not archived (an
    archived audit's record changes only after a recorded 撤销归档)."""
    locked = (
        RectificationItem.objects.select_for_update()
        .select_related("audit__agency", "audit__cycle", "standard__category")
        .get(pk=item.pk)
    )
    if locked.audit.archived_at is not None:
        raise RectificationError(
            _("This audit is archived (稽核档案): its rectification record can no longer change.")
        )
    return locked


def _require_version(item: RectificationItem, expected_version: int) -> None:
    """Checked after the permission: a refused person learns nothing about the item."""
    if item.version != expected_version:
        raise StalePage(item)


def _record(item, action, by, *, before=None, comment="", fields=()) -> None:
    """Save the item's ``fields`` with a new version and record the step."""
    changes = {}
    for field in fields:
        old, new = (before or {}).get(field), _shown(item, field)
        if old != new and field in ItemEvent.SHOWN_FIELDS:
            changes[field] = [old, new]
    item.version += 1
    item.save(update_fields=[*fields, "version"])
    ItemEvent.objects.create(item=item, action=action, actor=by, comment=comment, changes=changes)


def _shown(item, field) -> str:
    """A field's value as the record keeps it: text, an ISO date (a date's ``str``), a
    status's value."""
    value = getattr(item, field)
    return "" if value is None else str(value)


def _snapshot(item, fields) -> dict:
    return {field: _shown(item, field) for field in fields}


@dataclass(frozen=True)
class Answer:
    measures: str = ""
    responsible: str = ""
    completed_on: date | None = None


ANSWER_FIELDS = ("measures", "responsible", "completed_on")


def _clean_answer(answer: Answer, *, submit: bool) -> Answer:
    measures, responsible = answer.measures.strip(), answer.responsible.strip()
    if len(measures) > TEXT_MAX:
        raise RectificationError(
            _("The measures are longer than %(n)s characters; shorten them or attach a file.")
            % {"n": TEXT_MAX}
        )
    if len(responsible) > RESPONSIBLE_MAX:
        raise RectificationError(
            _("The person responsible is at most %(n)s characters.") % {"n": RESPONSIBLE_MAX}
        )
    if answer.completed_on and answer.completed_on > timezone.localdate():
        raise RectificationError(
            _(
                "The completion date cannot be later than today: give the date the problem was fixed."
            )
        )
    if submit:
        missing = [
            label
            for label, value in (
                (_("the measures taken (整改措施)"), measures),
                (_("the person responsible (责任人)"), responsible),
                (_("the completion date (完成时间)"), answer.completed_on),
            )
            if not value
        ]
        if missing:
            raise RectificationError(
                _("Fill in %(fields)s before submitting.") % {"fields": "、".join(missing)}
            )
    return Answer(measures, responsible, answer.completed_on)


@transaction.atomic
def answer_item(
    *, item: RectificationItem, by, answer: Answer, expected_version: int, submit: bool
) -> RectificationItem:
    """Agency staff save their answer (a draft) or submit it for verification."""
    item = _lock(item)
    if not can_answer_rectification(by, item.audit):
        raise NotAllowed(_("Only the agency's own staff answer its rectification items."))
    _require_version(item, expected_version)
    _require_answerable(item)
    answer = _clean_answer(answer, submit=submit)
    fields = [*ANSWER_FIELDS, "status", "submitted_at"] if submit else list(ANSWER_FIELDS)
    before = _snapshot(item, fields)
    item.measures, item.responsible, item.completed_on = (
        answer.measures,
        answer.responsible,
        answer.completed_on,
    )
    if submit:
        item.status, item.submitted_at = ItemStatus.SUBMITTED, timezone.now()
    action = ItemEvent.Action.SUBMITTED if submit else ItemEvent.Action.SAVED
    _record(item, action, by, before=before, fields=fields)
    return item


def _require_answerable(item: RectificationItem) -> None:
    if item.status not in AWAITING_AGENCY:
        raise RectificationError(
            _("This item is %(status)s: its answer can no longer be changed.")
            % {"status": item.get_status_display()}
        )


def add_proof(*, item: RectificationItem, upload, by) -> EvidenceFile:
    """Attach a proof file to the agency's answer, through the evidence upload pipeline
    (content checked, stored privately, SHA-256, duplicates within the audit marked)."""
    if not can_answer_rectification(by, item.audit):
        raise NotAllowed(_("Only the agency's own staff answer its rectification items."))

    def proof_of_the_item(audit):
        locked = _lock(item)
        _require_answerable(locked)

        def then(stored: EvidenceFile) -> None:
            ProofFile.objects.create(item=locked, file=stored)
            ItemEvent.objects.create(
                item=locked,
                action=ItemEvent.Action.PROOF_ADDED,
                actor=by,
                comment=stored.original_name,
            )

        return {}, then

    return evidence.keep_upload(audit=item.audit, upload=upload, by=by, place=proof_of_the_item)


@transaction.atomic
def remove_proof(*, item: RectificationItem, file: EvidenceFile, by) -> None:
    """Take a proof file off an answer that is still the agency's to change."""
    item = _lock(item)
    if not can_answer_rectification(by, item.audit):
        raise NotAllowed(_("Only the agency's own staff answer its rectification items."))
    _require_answerable(item)
    proof = ProofFile.objects.select_related("file").get(item=item, file=file)
    key, name = proof.file.key, proof.file.original_name
    proof.delete()
    proof.file.delete()
    ItemEvent.objects.create(
        item=item, action=ItemEvent.Action.PROOF_REMOVED, actor=by, comment=name
    )
    transaction.on_commit(lambda: evidence_storage().delete(key))


def _require_verifier(audit: Audit, by) -> None:
    if not can_verify_rectification(by, audit):
        raise NotAllowed(_("Only a manager or the agency's assigned auditors verify its items."))


@transaction.atomic
def return_item(
    *, item: RectificationItem, by, reason: str, expected_version: int
) -> RectificationItem:
    """The office sends a submitted answer back to the agency, saying what is missing."""
    item = _lock(item)
    _require_verifier(item.audit, by)
    _require_version(item, expected_version)
    if item.status != ItemStatus.SUBMITTED:
        raise RectificationError(_("Only a submitted answer can be returned."))
    reason = reason.strip()
    if not reason:
        raise RectificationError(
            _("Say why the answer is returned: the agency reads it to know what to do.")
        )
    before = _snapshot(item, ["status"])
    item.status, item.return_reason = ItemStatus.RETURNED, reason[:TEXT_MAX]
    _record(
        item,
        ItemEvent.Action.RETURNED,
        by,
        before=before,
        comment=item.return_reason,
        fields=["status", "return_reason"],
    )
    _tell_agency(
        item,
        Kind.RECTIFICATION_RETURNED,
        _("%(year)s: the answer to rectification item %(code)s was returned: %(reason)s")
        % {"year": item.audit.cycle.year, "code": item.standard.code, "reason": reason},
    )
    return item


def _tell_agency(item: RectificationItem, kind, text: str, staff=None) -> None:
    """The agency's staff (``staff``, when the caller has them already) told of a step on
    one of its items (the item's page)."""
    audit = item.audit
    notify(
        kind=kind,
        key=f"{kind}:{item.pk}:{item.version}",
        text=text,
        link=reverse("rectification_item", args=[audit.cycle.year, audit.agency.code, item.pk]),
        recipients=agency_staff(audit) if staff is None else staff,
        audit=audit,
    )


@transaction.atomic
def close_items(*, audit: Audit, items: Iterable[int], by) -> list[RectificationItem]:
    """Verify and close (销号) the submitted items among ``items``, all of them or none."""
    _require_verifier(audit, by)
    ids = sorted(set(items))
    locked = list(
        RectificationItem.objects.select_for_update().filter(audit=audit, pk__in=ids).order_by("id")
    )
    if not locked:
        raise RectificationError(_("Tick the submitted items to close."))
    waiting = [item for item in locked if item.status != ItemStatus.SUBMITTED]
    if waiting or len(locked) != len(ids):
        raise RectificationError(
            _(
                "Only submitted answers can be closed; nothing was closed. Reload the page and tick again."
            )
        )
    now = timezone.now()
    # told once per item, to staff read once, with the codes read once (not per item)
    staff = agency_staff(audit)
    codes = {
        s.pk: s.code
        for s in Standard.objects.filter(pk__in=[i.standard_id for i in locked]).select_related(
            "category"
        )
    }
    for item in locked:
        item.audit = audit
        before = _snapshot(item, ["status"])
        item.status, item.closed_at, item.closed_by = ItemStatus.CLOSED, now, by
        _record(
            item,
            ItemEvent.Action.CLOSED,
            by,
            before=before,
            fields=["status", "closed_at", "closed_by"],
        )
        _tell_agency(
            item,
            Kind.RECTIFICATION_CLOSED,
            _("%(year)s: rectification item %(code)s was verified and closed (销号).")
            % {"year": audit.cycle.year, "code": codes[item.standard_id]},
            staff,
        )
    return locked


@transaction.atomic
def close_carried_item(
    *, item: RectificationItem, audit: Audit, by, note: str, expected_version: int
) -> RectificationItem:
    """An auditor of the agency's audit in the next cycle (``audit``) checked a problem of
    last cycle on site and closes it (销号) with what they verified, whatever its status;
    a pending request for more time is answered by the closing."""
    item = _lock(item)
    if (
        item.audit.agency_id != audit.agency_id
        or item.audit.cycle_id != audit.cycle.previous_id
        or not can_verify_rectification(by, audit)
    ):
        raise NotAllowed(
            _(
                "Only a manager or the agency's assigned auditors of this cycle close last year's problems."
            )
        )
    _require_version(item, expected_version)
    if item.status == ItemStatus.CLOSED:
        raise RectificationError(_("This item is already closed."))
    note = note.strip()
    if not note:
        raise RectificationError(
            _("Say what you verified: it is kept in the item's record as the reason for closing.")
        )
    now = timezone.now()
    before = _snapshot(item, ["status"])
    item.status, item.closed_at, item.closed_by = ItemStatus.CLOSED, now, by
    comment = _("Verified in the %(year)s audit: %(note)s") % {
        "year": audit.cycle.year,
        "note": note[:TEXT_MAX],
    }
    _record(
        item,
        ItemEvent.Action.CLOSED,
        by,
        before=before,
        comment=comment,
        fields=["status", "closed_at", "closed_by"],
    )
    item.extension_requests.filter(status=ExtensionStatus.PENDING).update(
        status=ExtensionStatus.REFUSED,
        decided_by=by,
        decided_at=now,
        answer=_("The problem was verified and closed in the next audit."),
    )
    return item


@transaction.atomic
def reopen_item(
    *, item: RectificationItem, by, reason: str, expected_version: int
) -> RectificationItem:
    """A manager reopens a closed item: it goes back to the agency with the reason."""
    item = _lock(item)
    if not can_manage_rectification(by):
        raise NotAllowed(_("Only a manager can reopen a closed item."))
    _require_version(item, expected_version)
    if item.status != ItemStatus.CLOSED or item.withdrawn:
        raise RectificationError(_("Only a closed item can be reopened."))
    reason = reason.strip()
    if not reason:
        raise RectificationError(
            _("Give the reason for reopening; it is kept in the item's record.")
        )
    before = _snapshot(item, ["status"])
    item.status, item.return_reason = ItemStatus.RETURNED, reason[:TEXT_MAX]
    item.closed_at = item.closed_by = None
    _record(
        item,
        ItemEvent.Action.REOPENED,
        by,
        before=before,
        comment=item.return_reason,
        fields=["status", "return_reason", "closed_at", "closed_by"],
    )
    return item


@transaction.atomic
def change_deadlines(
    *, audit: Audit, items: Iterable[int], by, deadline: date | None, reason: str
) -> list[RectificationItem]:
    """A manager moves the deadline of one or several open items, giving the reason."""
    if not can_manage_rectification(by):
        raise NotAllowed(_("Only a manager can change a deadline."))
    ids = sorted(set(items))
    locked = list(
        RectificationItem.objects.select_for_update()
        .filter(audit=audit, pk__in=ids)
        .exclude(status=ItemStatus.CLOSED)
        .order_by("id")
    )
    if not locked or len(locked) != len(ids):
        raise RectificationError(
            _("Tick the open items whose deadline changes; closed items keep theirs.")
        )
    if deadline is None:
        raise RectificationError(_("Give the new deadline."))
    if deadline < timezone.localdate():
        raise RectificationError(_("The new deadline cannot be in the past."))
    reason = reason.strip()
    if not reason:
        raise RectificationError(
            _("Give the reason for the new deadline; it is kept in each item's record.")
        )
    for item in locked:
        before = _snapshot(item, ["deadline"])
        item.deadline = deadline
        _record(
            item,
            ItemEvent.Action.DEADLINE,
            by,
            before=before,
            comment=reason[:TEXT_MAX],
            fields=["deadline"],
        )
    return locked


@transaction.atomic
def ask_for_more_time(
    *, item: RectificationItem, by, proposed: date | None, reason: str
) -> ExtensionRequest:
    """Agency staff ask for a later deadline (延期申请); a manager grants or refuses it."""
    item = _lock(item)
    if not can_answer_rectification(by, item.audit):
        raise NotAllowed(_("Only the agency's own staff answer its rectification items."))
    _require_answerable(item)
    if item.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        raise RectificationError(
            _("More time has already been asked for this item; wait for the office's decision.")
        )
    if proposed is None:
        raise RectificationError(_("Give the deadline you propose."))
    if proposed <= max(item.deadline, timezone.localdate()):
        raise RectificationError(
            _(
                "The proposed deadline must be later than the current one (%(deadline)s) and than today."
            )
            % {"deadline": item.deadline.isoformat()}
        )
    reason = reason.strip()
    if not reason:
        raise RectificationError(_("Say why more time is needed; the office decides on it."))
    asked = ExtensionRequest.objects.create(
        item=item, proposed_deadline=proposed, reason=reason[:TEXT_MAX], requested_by=by
    )
    ItemEvent.objects.create(
        item=item,
        action=ItemEvent.Action.EXTENSION_ASKED,
        actor=by,
        comment=asked.reason,
        changes={"deadline": [item.deadline.isoformat(), proposed.isoformat()]},
    )
    return asked


@transaction.atomic
def decide_on_more_time(
    *, item: RectificationItem, by, grant: bool, answer: str
) -> ExtensionRequest:
    """A manager grants the item's pending request (the deadline moves) or refuses it,
    saying why."""
    item = _lock(item)
    if not can_manage_rectification(by):
        raise NotAllowed(_("Only a manager decides on more time."))
    asked = (
        ExtensionRequest.objects.select_for_update()
        .filter(item=item, status=ExtensionStatus.PENDING)
        .first()
    )
    if asked is None:
        raise RectificationError(_("There is no request for more time waiting on this item."))
    answer = answer.strip()
    if not grant and not answer:
        raise RectificationError(_("Say why more time is refused: the agency reads it."))
    asked.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    asked.decided_by, asked.decided_at, asked.answer = by, timezone.now(), answer[:TEXT_MAX]
    asked.save(update_fields=["status", "decided_by", "decided_at", "answer"])
    if grant:
        before = _snapshot(item, ["deadline"])
        item.deadline = asked.proposed_deadline
        _record(
            item,
            ItemEvent.Action.EXTENSION_GRANTED,
            by,
            before=before,
            comment=asked.answer,
            fields=["deadline"],
        )
    else:
        ItemEvent.objects.create(
            item=item, action=ItemEvent.Action.EXTENSION_REFUSED, actor=by, comment=asked.answer
        )
    year, code = item.audit.cycle.year, item.standard.code
    notify(
        kind=Kind.EXTENSION_DECIDED,
        key=f"extension_decided:{asked.pk}",
        text=(
            _("%(year)s: more time for rectification item %(code)s was granted, until %(due)s.")
            % {"year": year, "code": code, "due": asked.proposed_deadline.isoformat()}
            if grant
            else _("%(year)s: more time for rectification item %(code)s was refused: %(why)s")
            % {"year": year, "code": code, "why": asked.answer}
        ),
        link=reverse("rectification_item", args=[year, item.audit.agency.code, item.pk]),
        recipients=agency_staff(item.audit),
        audit=item.audit,
    )
    return asked
