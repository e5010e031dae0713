"""工作台: what waits for each person, across cycles, read from the apps below (reads only).

Each section is a list of lines, each linking to where the work is done: its count, and its
first LINES_SHOWN lines with a link to the whole list where there are more (a province's
工作台 stays small). The queries are a fixed number per role, however many agencies,
documents and items there are, and read the columns the lines show.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from agencies.models import Audit, AuditStatus, attach_returns
from common.links import agency_url
from evidence.models import DocumentRequest, DocumentStatus, RequiredDocument
from procedure.models import AuditNotice, DraftProblem, DraftReport, Opinion, ReplyStatus
from rectification.models import (
    AWAITING_AGENCY,
    ExtensionRequest,
    ExtensionStatus,
    ItemStatus,
    RectificationItem,
    overdue_q,
)
from selfassessment.models import SelfAssessment


@dataclass
class Line:
    text: str
    url: str
    due: date | None = None
    late: bool = False


LINES_SHOWN = 20


@dataclass
class Section:
    key: str
    title: str
    lines: list[Line] = field(default_factory=list)
    total: int | None = None  # how many there are; None: the lines are all of them
    more_url: str = ""  # the whole list, when more than the lines shown

    def cap(self) -> "Section":
        """Keep the first LINES_SHOWN lines, counting them all."""
        if self.total is None or self.total < len(self.lines):
            self.total = len(self.lines)
        del self.lines[LINES_SHOWN:]
        return self

    @property
    def more(self) -> int:
        return self.total - len(self.lines)


def _capped(section: Section, queryset, line, more_url=None) -> Section:
    """The section's lines from the first LINES_SHOWN rows of ``queryset``, its count from
    the database (asked only when there are more): the rows past them are never read.
    ``more_url(rows)`` gives the link to the whole list from the rows shown."""
    rows = list(queryset[: LINES_SHOWN + 1])
    section.total = len(rows) if len(rows) <= LINES_SHOWN else queryset.count()
    rows = rows[:LINES_SHOWN]
    section.lines = [line(row) for row in rows]
    if section.total > LINES_SHOWN and more_url is not None:
        section.more_url = more_url(rows)
    return section


def _agency(audit) -> str:
    return f"{audit.cycle.year} {audit.agency.name}（{audit.agency.code}）"


def _item_url(item) -> str:
    return reverse(
        "rectification_item", args=[item.audit.cycle.year, item.audit.agency.code, item.pk]
    )


ITEM_COLUMNS = (
    "status",
    "deadline",
    "finding",
    "audit__cycle__year",
    "audit__agency__code",
    "audit__agency__name",
    "standard__number",
    "standard__category__position",
)


def _items(*conditions, **filters):
    return (
        RectificationItem.objects.filter(*conditions, withdrawn=False, **filters)
        .select_related("audit__cycle", "audit__agency", "standard__category")
        .only(*ITEM_COLUMNS)
        .order_by("deadline", "audit__serial", "id")
    )


def _ledger_url(year: int, status: str, **extra) -> str:
    """The 整改台账 of ``year``, filtered to ``status``."""
    query = "&".join([f"status={status}", *(f"{k}={v}" for k, v in extra.items())])
    return f"{reverse('rectification_ledger', args=[year])}?{query}"


def _newest_year(rows, audit=lambda row: row.audit) -> int:
    return max(audit(row).cycle.year for row in rows)


def _item_line(item, today, text=None) -> Line:
    return Line(
        text or f"{_agency(item.audit)} · {item.standard.code} {item.finding[:40]}",
        _item_url(item),
        item.deadline,
        item.is_overdue(today),
    )


def _submitted_documents(audits) -> Section:
    section = Section("documents", _("Documents to review"))
    counts = (
        DocumentRequest.objects.filter(audit__in=audits, status=DocumentStatus.SUBMITTED)
        .values("audit")
        .annotate(n=Count("id"))
    )
    by_audit = {row["audit"]: row["n"] for row in counts}
    for audit in audits:
        if by_audit.get(audit.pk):
            section.lines.append(
                Line(
                    _("%(agency)s: %(n)s submitted")
                    % {"agency": _agency(audit), "n": by_audit[audit.pk]},
                    reverse("documents", args=[audit.cycle.year, audit.agency.code]),
                )
            )
    return section


def for_auditor(user, today) -> list[Section]:
    audits = list(
        Audit.objects.filter(auditors=user)
        .exclude(status=AuditStatus.FINALIZED)
        .select_related("cycle", "agency")
        .order_by("-cycle__year", "serial")
    )
    attach_returns(audits)
    returned = Section("returned", _("Audits returned to you"))
    for audit in audits:
        if audit.returned:
            returned.lines.append(
                Line(
                    f"{_agency(audit)}：{audit.returned.comment}",
                    reverse("scoring", args=[audit.cycle.year, audit.agency.code]),
                )
            )
    submitted = _items(audit__auditors=user, status=ItemStatus.SUBMITTED)
    to_verify = _capped(
        Section("verify", _("Rectification answers to verify")),
        submitted,
        lambda item: _item_line(item, today),
        lambda rows: _ledger_url(_newest_year(rows), "submitted", mine=1),
    )
    late = _items(overdue_q(today), audit__auditors=user)
    overdue = _capped(
        Section("overdue", _("Overdue rectification items at your agencies")),
        late,
        lambda item: _item_line(item, today),
        lambda rows: _ledger_url(_newest_year(rows), "overdue", mine=1),
    )
    return [
        returned,
        _objections(audits),
        _submitted_documents(audits),
        _carried(audits),
        to_verify,
        overdue,
    ]


def _objections(audits) -> Section:
    """征求意见稿 objections not answered yet, at the auditor's agencies under review."""
    section = Section("objections", _("Objections to the draft report to answer"))
    under_review = {a.pk: a for a in audits if a.status == AuditStatus.UNDER_REVIEW}
    waiting = (
        DraftProblem.objects.filter(
            draft__audit__in=under_review,
            draft__status=ReplyStatus.ANSWERED,
            opinion=Opinion.OBJECTS,
            decision="",
        )
        .values("draft__audit")
        .annotate(n=Count("id"))
        .order_by("draft__audit")
    )
    counts = {row["draft__audit"]: row["n"] for row in waiting}
    for audit in under_review.values():
        if audit.pk in counts:
            section.lines.append(
                Line(
                    _("%(agency)s: %(n)s objections to answer")
                    % {"agency": _agency(audit), "n": counts[audit.pk]},
                    reverse("draft_report", args=[audit.cycle.year, audit.agency.code]),
                )
            )
    return section


def _drafts_to_answer(audits, today) -> Section:
    """The agency's 征求意见稿 waiting for its written reply, with the deadline."""
    section = Section("reply", _("Draft reports to reply to"))
    for draft in (
        DraftReport.objects.filter(
            audit__in=audits, status=ReplyStatus.WAITING, reply_due__gte=today
        )
        .select_related("audit__cycle", "audit__agency")
        .only(
            "number",
            "reply_due",
            "audit__cycle__year",
            "audit__cycle__title",
            "audit__agency__code",
        )
        .order_by("reply_due")
    ):
        audit = draft.audit
        section.lines.append(
            Line(
                _("%(cycle)s: draft for comments %(number)s, reply in writing")
                % {"cycle": audit.cycle.title, "number": draft.number},
                reverse("draft_report", args=[audit.cycle.year, audit.agency.code]),
                draft.reply_due,
            )
        )
    return section


def _carried(audits) -> Section:
    """上年问题: per audit, the agency's items of the previous cycle not closed yet, to check
    while scoring (one query)."""
    section = Section("carried", _("Last year's problems to check at your agencies"))
    by_previous = {
        (audit.cycle.previous_id, audit.agency_id): audit
        for audit in audits
        if audit.cycle.previous_id is not None
    }
    if not by_previous:
        return section
    counts = (
        RectificationItem.objects.filter(
            withdrawn=False,
            audit__cycle_id__in={cycle for cycle, _agency in by_previous},
            audit__agency_id__in={agency for _cycle, agency in by_previous},
        )
        .exclude(status=ItemStatus.CLOSED)
        .values_list("audit__cycle_id", "audit__agency_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    found = {(cycle, agency): n for cycle, agency, n in counts}
    for key, audit in by_previous.items():
        if found.get(key):
            section.lines.append(
                Line(
                    _("%(agency)s: %(n)s not closed last year")
                    % {"agency": _agency(audit), "n": found[key]},
                    reverse("scoring", args=[audit.cycle.year, audit.agency.code]),
                )
            )
    return section


def for_manager(user, today) -> list[Section]:
    links = {}

    def review_line(row):
        year, name, code = row
        if year not in links:
            links[year] = agency_url("audit_detail", year)
        return Line(f"{year} {name}（{code}）", links[year](code))

    # values, not models: a province's managers may have hundreds waiting
    under_review = (
        Audit.objects.filter(status=AuditStatus.UNDER_REVIEW)
        .order_by("-cycle__year", "serial")
        .values_list("cycle__year", "agency__name", "agency__code")
    )
    review = _capped(
        Section("review", _("Audits awaiting your review")),
        under_review,
        review_line,
        lambda rows: reverse("cycle_overview", args=[rows[0][0]]) + "?status=under_review",
    )

    def extension_line(asked):
        item = asked.item
        return Line(
            _("%(agency)s · %(code)s: to %(date)s")
            % {
                "agency": _agency(item.audit),
                "code": item.standard.code,
                "date": asked.proposed_deadline.isoformat(),
            },
            _item_url(item),
            item.deadline,
            item.is_overdue(today),
        )

    asked = (
        ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING)
        .select_related("item__audit__cycle", "item__audit__agency", "item__standard__category")
        .only("proposed_deadline", *(f"item__{column}" for column in ITEM_COLUMNS))
        .order_by("requested_at")
    )
    extensions = _capped(
        Section("extensions", _("Requests for more time")),
        asked,
        extension_line,
        lambda rows: _ledger_url(_newest_year(rows, lambda asked: asked.item.audit), "extension"),
    )
    rows = (
        # only the audits with such an item are counted: grouping every audit of every
        # cycle took 40 ms of each page's top bar at 5,000 agencies (issue 16)
        Audit.objects.filter(
            pk__in=RectificationItem.objects.filter(
                _manager_waiting(today), withdrawn=False
            ).values("audit_id")
        )
        .annotate(
            submitted=Count(
                "rectification_items",
                filter=Q(
                    rectification_items__withdrawn=False,
                    rectification_items__status=ItemStatus.SUBMITTED,
                ),
            ),
            late=Count(
                "rectification_items",
                filter=Q(rectification_items__withdrawn=False)
                & overdue_q(today, via="rectification_items__"),
            ),
        )
        .select_related("cycle", "agency")
        .only("cycle__year", "agency__code", "agency__name")
        .order_by("-cycle__year", "serial")
    )

    def rectification_url(audit):
        return reverse("rectification", args=[audit.cycle.year, audit.agency.code])

    to_verify = _capped(
        Section("verify", _("Rectification answers to verify")),
        rows.filter(submitted__gt=0),
        lambda audit: Line(
            _("%(agency)s: %(n)s submitted") % {"agency": _agency(audit), "n": audit.submitted},
            rectification_url(audit),
        ),
        lambda rows: _ledger_url(_newest_year(rows, lambda audit: audit), "submitted"),
    )
    overdue = _capped(
        Section("overdue", _("Overdue rectification items by agency")),
        rows.filter(late__gt=0),
        lambda audit: Line(
            _("%(agency)s: %(n)s overdue") % {"agency": _agency(audit), "n": audit.late},
            rectification_url(audit),
            late=True,
        ),
        lambda rows: _ledger_url(_newest_year(rows, lambda audit: audit), "overdue"),
    )
    return [review, extensions, to_verify, overdue, _unsigned_notices()]


def _unsigned_by_cycle():
    """Per cycle, the audits (not finalized) whose newest notice nobody has signed for."""
    return (
        AuditNotice.objects.latest_per_audit()
        .filter(received_at__isnull=True)
        .exclude(audit__status=AuditStatus.FINALIZED)
        .values("audit__cycle__year")
        .annotate(n=Count("id"))
        .order_by("-audit__cycle__year")
    )


def _unsigned_notices() -> Section:
    """稽核通知书 the agencies have not signed for: one line per cycle, to its list."""
    section = Section("notices", _("Audit notices not signed for"))
    for row in _unsigned_by_cycle():
        year = row["audit__cycle__year"]
        section.lines.append(
            Line(
                _("%(year)s: %(n)s agencies have not signed for their notice")
                % {"year": year, "n": row["n"]},
                reverse("cycle_notices", args=[year]) + "?state=unsigned",
            )
        )
    return section


def _notices_to_sign(audits) -> Section:
    """The agency's notices not signed for yet (the newest version of each)."""
    section = Section("sign", _("Audit notices to sign for"))
    for notice in (
        AuditNotice.objects.latest_per_audit()
        .filter(audit__in=audits, received_at__isnull=True)
        .select_related("audit__cycle", "audit__agency")
        .only("number", "audit__cycle__year", "audit__cycle__title", "audit__agency__code")
        .order_by("-audit__cycle__year")
    ):
        audit = notice.audit
        section.lines.append(
            Line(
                _("%(cycle)s: audit notice %(number)s to sign for")
                % {"cycle": audit.cycle.title, "number": notice.number},
                reverse("audit_notice", args=[audit.cycle.year, audit.agency.code]),
            )
        )
    return section


def for_agency_staff(user, today) -> list[Section]:
    documents = Section("upload", _("Documents to upload"))
    audits = list(
        Audit.objects.filter(agency_id=user.agency_id)
        .exclude(status=AuditStatus.FINALIZED)
        .select_related("cycle", "agency")
        .order_by("-cycle__year")
    )
    required = dict(
        RequiredDocument.objects.filter(cycle__audits__in=audits)
        .values("cycle__audits")
        .annotate(n=Count("id"))
        .values_list("cycle__audits", "n")
    )
    statuses = (
        DocumentRequest.objects.filter(audit__in=audits)
        .values("audit")
        .annotate(
            done=Count(
                "id", filter=Q(status__in=[DocumentStatus.SUBMITTED, DocumentStatus.ACCEPTED])
            ),
            returned=Count("id", filter=Q(status=DocumentStatus.RETURNED)),
        )
    )
    by_audit = {row["audit"]: row for row in statuses}
    for audit in audits:
        row = by_audit.get(audit.pk, {"done": 0, "returned": 0})
        missing = required.get(audit.pk, 0) - row["done"]
        if missing > 0:
            deadline = audit.cycle.document_deadline
            documents.lines.append(
                Line(
                    _("%(cycle)s: %(n)s documents to upload, %(returned)s of them returned")
                    % {"cycle": audit.cycle.title, "n": missing, "returned": row["returned"]}
                    if row["returned"]
                    else _("%(cycle)s: %(n)s documents to upload")
                    % {"cycle": audit.cycle.title, "n": missing},
                    reverse("documents", args=[audit.cycle.year, audit.agency.code]),
                    deadline,
                    bool(deadline) and deadline < today,
                )
            )
    owed = _items(audit__agency_id=user.agency_id, status__in=AWAITING_AGENCY)
    items = _capped(
        Section("rectify", _("Rectification items to answer")),
        owed,
        lambda item: _item_line(
            item,
            today,
            f"{item.audit.cycle.year} · {item.standard.code} {item.finding[:40]}"
            + (f"（{_('returned')}）" if item.status == ItemStatus.RETURNED else ""),
        ),
        lambda rows: reverse("rectification", args=[_newest_year(rows), user.agency.code]),
    )
    return [
        _notices_to_sign(audits),
        _drafts_to_answer(audits, today),
        items,
        documents,
        _self_assessments(audits, today),
    ]


def _self_assessments(audits, today) -> Section:
    """自查自评 not submitted yet (or returned) while the on-site audit has not begun."""
    section = Section("self", _("Self-assessments to submit"))
    states = {s.audit_id: s for s in SelfAssessment.objects.filter(audit__in=audits)}
    for audit in audits:
        state = states.get(audit.pk)
        if audit.status not in (AuditStatus.NOT_STARTED, AuditStatus.IN_PROGRESS):
            continue
        if state is not None and state.is_submitted:
            continue
        returned = state is not None and bool(state.return_comment)
        deadline = audit.cycle.self_assessment_deadline
        section.lines.append(
            Line(
                _("%(cycle)s: the self-assessment was returned: %(why)s")
                % {"cycle": audit.cycle.title, "why": state.return_comment[:60]}
                if returned
                else _("%(cycle)s: self-assessment not submitted yet")
                % {"cycle": audit.cycle.title},
                reverse("self_assessment", args=[audit.cycle.year, audit.agency.code]),
                None if returned else deadline,
                not returned and bool(deadline) and deadline < today,
            )
        )
    return section


def _manager_waiting(today) -> Q:
    """A rectification item a manager acts on: an answer to verify, or overdue."""
    return Q(status=ItemStatus.SUBMITTED) | overdue_q(today)


def count_for(user, today: date | None = None) -> int:
    """How many lines the person's 工作台 has (the top bar's count, on every page). For a
    manager, counted by the database rather than by building a province's lines; for the
    others, whose lines are their own agencies', the lines themselves. A test holds both
    ways to the same number."""
    today = today or timezone.localdate()
    if user.role != Role.MANAGER:
        return sum(section.total for section in sections_for(user, today))
    # agencies with an answer to verify, and with an overdue item: one line each
    agencies = RectificationItem.objects.filter(withdrawn=False).aggregate(
        verify=Count("audit", distinct=True, filter=Q(status=ItemStatus.SUBMITTED)),
        overdue=Count(
            "audit",
            distinct=True,
            filter=overdue_q(today),
        ),
    )
    return (
        Audit.objects.filter(status=AuditStatus.UNDER_REVIEW).count()
        + ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING).count()
        + agencies["verify"]
        + agencies["overdue"]
        + _unsigned_by_cycle().count()
    )


def sections_for(user, today: date | None = None) -> list[Section]:
    """The person's sections, each with its count and at most LINES_SHOWN lines."""
    today = today or timezone.localdate()
    if user.role == Role.AUDITOR:
        sections = for_auditor(user, today)
    elif user.role == Role.MANAGER:
        sections = for_manager(user, today)
    elif user.is_agency_staff:
        sections = for_agency_staff(user, today)
    else:
        sections = []
    return [section.cap() for section in sections]
