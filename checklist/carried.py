"""上年问题: what the agency's audit of the previous cycle found and is not closed (销号) yet.

Each item is shown under the standard of this cycle it came from (``Standard.previous``),
so it follows a standard whose text or position changed; an item whose standard is no
longer in the checklist is shown apart. Read through rectification's reverse name
``rectification_items`` and its status values: checklist does not import rectification.
"""

from dataclasses import dataclass, field

from agencies.models import Audit

from .models import Standard

CLOSED = "closed"


@dataclass
class OpenProblems:
    previous: Audit | None = None
    by_standard: dict[int, list] = field(default_factory=dict)  # this cycle's standard id
    elsewhere: list = field(default_factory=list)  # standards no longer in the checklist

    @property
    def count(self) -> int:
        return len(self.elsewhere) + sum(len(items) for items in self.by_standard.values())

    @property
    def items(self) -> list:
        return [item for items in self.by_standard.values() for item in items] + self.elsewhere


def open_problems(audit: Audit) -> OpenProblems:
    """The open items of last cycle for ``audit``'s agency (three queries at most)."""
    if audit.cycle.previous_id is None:
        return OpenProblems()
    previous = (
        Audit.objects.filter(cycle_id=audit.cycle.previous_id, agency_id=audit.agency_id)
        .select_related("cycle", "agency")
        .first()
    )
    if previous is None:
        return OpenProblems()
    items = list(
        previous.rectification_items.filter(withdrawn=False)
        .exclude(status=CLOSED)
        .select_related("standard__category")
        .order_by("standard__category__position", "standard__number", "id")
    )
    found = OpenProblems(previous=previous)
    if not items:
        return found
    successor = dict(
        Standard.objects.filter(
            category__cycle_id=audit.cycle_id, previous_id__in={item.standard_id for item in items}
        ).values_list("previous_id", "id")
    )
    for item in items:
        item.audit = previous
        standard_id = successor.get(item.standard_id)
        if standard_id is None:
            found.elsewhere.append(item)
        else:
            found.by_standard.setdefault(standard_id, []).append(item)
    return found
