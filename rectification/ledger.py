"""整改台账: every live item of a cycle, filtered as the office asks, and each agency's
progress. Reads only; a fixed number of queries however many agencies and items."""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Audit, Cycle
from checklist.models import Category

from .models import (
    ExtensionRequest,
    ExtensionStatus,
    ItemStatus,
    RectificationItem,
    is_late,
    overdue_q,
)

OVERDUE = "overdue"
EXTENSION = "extension"


class LedgerFilter(forms.Form):
    """The ledger's filters (a GET form): anything unknown is simply not applied."""

    # an agency's code (004) or part of its name (朝阳): a roster of thousands is searched,
    # not listed in a drop-down
    agency = forms.CharField(required=False, max_length=50)
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("All statuses")),
            *ItemStatus.choices,
            (OVERDUE, _("Overdue")),
            (EXTENSION, _("More time asked for")),
        ],
    )
    category = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    standard = forms.CharField(required=False, max_length=10)
    # only the agencies the person audits (the 工作台's "see all" of an auditor)
    mine = forms.BooleanField(required=False)

    def __init__(self, data, *, cycle: Cycle, user=None):
        super().__init__(data)
        self.user = user
        self.categories = list(Category.objects.filter(cycle=cycle).order_by("position"))
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c.position, f"{c.position}. {c.name}") for c in self.categories
        ]

    def apply(self, items, today: date):
        if not self.is_valid():
            return items
        data = self.cleaned_data
        items = items.filter(self.agency_q("audit__agency__"))
        if data["mine"] and self.user is not None:
            items = items.filter(audit__auditors=self.user)
        status = data["status"]
        if status == OVERDUE:
            items = items.filter(overdue_q(today))
        elif status == EXTENSION:
            items = items.filter(extension_requests__status=ExtensionStatus.PENDING)
        elif status:
            items = items.filter(status=status)
        if data["category"] is not None:
            items = items.filter(standard__category__position=data["category"])
        position, _dash, number = (data["standard"] or "").strip().partition("-")
        if position.isascii() and position.isdigit() and number.isascii() and number.isdigit():
            items = items.filter(
                standard__category__position=int(position[:4]), standard__number=int(number[:4])
            )
        return items

    def agency_q(self, via: str) -> Q:
        """The agencies the search names, reached through ``via`` ("audit__agency__"): the
        code exactly, or a part of the name; no search, every agency."""
        text = (self.cleaned_data.get("agency") or "").strip() if self.is_valid() else ""
        if not text:
            return Q()
        return Q(**{f"{via}code": text}) | Q(**{f"{via}name__icontains": text})


@dataclass(frozen=True)
class LedgerRow:
    serial: int
    item: RectificationItem
    overdue: bool
    waiting: bool  # 延期申请中


def ledger_items(cycle: Cycle):
    """The cycle's live items in roster order (agency serial, then standard)."""
    return (
        RectificationItem.objects.filter(audit__cycle=cycle, withdrawn=False)
        .select_related("audit__agency", "standard__category", "closed_by")
        .annotate(
            waiting=Exists(
                ExtensionRequest.objects.filter(item=OuterRef("pk"), status=ExtensionStatus.PENDING)
            )
        )
        .order_by("audit__serial", "standard__category__position", "standard__number", "id")
    )


def ledger_rows(items, today: date | None = None) -> list[LedgerRow]:
    today = today or timezone.localdate()
    return [
        LedgerRow(serial, item, item.is_overdue(today), item.waiting)
        for serial, item in enumerate(items, start=1)
    ]


@dataclass(frozen=True)
class AgencyProgress:
    audit: Audit
    total: int
    closed: int
    overdue: int

    @property
    def rate(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0


def agency_progress(cycle: Cycle, today: date | None = None) -> list[AgencyProgress]:
    """Per agency with items: total, closed, overdue and completion rate, in roster order."""
    return progress_rows(agency_progress_audits(cycle, today))


def progress_rows(audits) -> list[AgencyProgress]:
    """``agency_progress_audits`` (or a page of them) as rows."""
    return [AgencyProgress(a, a.total, a.closed, a.overdue) for a in audits]


def agency_progress_audits(cycle: Cycle, today: date | None = None):
    """The cycle's audits with items, annotated with their counts, in roster order (a
    queryset, so that a page of thousands is read, not all of them)."""
    today = today or timezone.localdate()
    live = Q(rectification_items__withdrawn=False)
    audits = (
        Audit.objects.filter(cycle=cycle)
        .select_related("agency")
        .annotate(
            total=Count("rectification_items", filter=live),
            closed=Count(
                "rectification_items",
                filter=live & Q(rectification_items__status=ItemStatus.CLOSED),
            ),
            overdue=Count(
                "rectification_items",
                filter=live & overdue_q(today, via="rectification_items__"),
            ),
        )
        .filter(total__gt=0)
        .order_by("serial")
    )
    return audits


@dataclass(frozen=True)
class Progress:
    total: int
    closed: int
    overdue: int

    @property
    def rate(self) -> int | None:
        """The completion rate in whole percent, None without items."""
        return round(100 * self.closed / self.total) if self.total else None


def progress(audit: Audit, today: date | None = None) -> Progress:
    """Closed / total and overdue among the audit's live items (withdrawn ones left out)."""
    today = today or timezone.localdate()
    items = list(
        RectificationItem.objects.filter(audit=audit, withdrawn=False).values_list(
            "status", "deadline"
        )
    )
    return Progress(
        total=len(items),
        closed=sum(1 for status, _deadline in items if status == ItemStatus.CLOSED),
        overdue=sum(1 for status, deadline in items if is_late(status, deadline, today)),
    )
