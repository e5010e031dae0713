from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role

from .models import Audit, AuditEvent, Cycle, Recusal


class AssignmentError(Exception):
    pass


class NeedsConfirmation(AssignmentError):
    """The assignment breaks the rotation rule (轮换); repeating it with ``confirmed`` does it."""


def rotation_due(cycle: Cycle, *, agency_ids=None) -> dict[tuple[int, int], tuple[str, list[int]]]:
    """(auditor id, agency id) -> (agency name, the years) for auditors who audited an agency
    in each of the two cycles before ``cycle`` (only the agencies of ``agency_ids`` when
    given): two queries, however long the history."""
    if cycle.previous_id is None:
        return {}
    previous = Cycle.objects.filter(pk=cycle.previous_id).values_list("pk", "previous_id").get()
    before = [pk for pk in previous if pk is not None]
    years: dict[tuple[int, int], set[int]] = {}
    names: dict[int, str] = {}
    links = Audit.auditors.through.objects.filter(audit__cycle__in=before)
    if agency_ids is not None:
        links = links.filter(audit__agency__in=agency_ids)
    rows = links.values_list(
        "user_id", "audit__agency_id", "audit__agency__name", "audit__cycle__year"
    )
    for user_id, agency_id, name, year in rows:
        years.setdefault((user_id, agency_id), set()).add(year)
        names[agency_id] = name
    if len(before) < 2:  # asked all the same: a page's queries do not vary with the history
        return {}
    return {
        (user_id, agency_id): (names[agency_id], sorted(found))
        for (user_id, agency_id), found in years.items()
        if len(found) == 2
    }


def _check_rules(audits, auditors, *, confirmed: bool) -> None:
    """Refuse a recused auditor (回避) with the reason; ask before a third cycle running at
    the same agency (轮换), naming the cycles."""
    agencies = {audit.agency_id: audit.agency for audit in audits}
    recused = Recusal.objects.filter(auditor__in=auditors, agency_id__in=agencies).select_related(
        "auditor", "agency"
    )
    refusals = [
        _("%(auditor)s must not audit %(agency)s (回避: %(reason)s).")
        % {"auditor": r.auditor.display_name, "agency": r.agency.name, "reason": r.reason}
        for r in recused
    ]
    if refusals:
        raise AssignmentError(" ".join(refusals) + " " + _("Nothing was assigned."))
    if confirmed or not audits:
        return
    due = rotation_due(audits[0].cycle)
    repeats = [
        _("%(auditor)s audited %(agency)s in %(years)s.")
        % {
            "auditor": auditor.display_name,
            "agency": agencies[agency_id].name,
            "years": "、".join(str(year) for year in due[(auditor.pk, agency_id)][1]),
        }
        for auditor in auditors
        for agency_id in agencies
        if (auditor.pk, agency_id) in due
    ]
    if repeats:
        raise NeedsConfirmation(
            " ".join(repeats)
            + " "
            + _("The rotation rule (轮换) asks for another auditor; assign anyway?")
        )


@transaction.atomic
def assign_auditors(*, audits, auditors, by, replace: bool = False, confirmed: bool = False) -> int:
    """Assign auditors to several audits at once; with ``replace`` they become the only ones.

    Returns how many audits changed. Finalized audits keep their auditors: they are the
    people named on the issued report. A recused auditor is refused; an auditor who audited
    an agency in each of the last two cycles needs ``confirmed`` (NeedsConfirmation).
    """
    auditors = list(auditors)
    if any(user.role != Role.AUDITOR for user in auditors):
        raise AssignmentError(_("Only auditors can be assigned to an agency."))
    if replace and not auditors:
        raise AssignmentError(_("Choose at least one auditor."))
    audits = list(audits)
    _check_rules(
        [audit for audit in audits if not audit.is_finalized], auditors, confirmed=confirmed
    )
    changed = 0
    names = "、".join(user.display_name for user in auditors)
    for audit in audits:
        if audit.is_finalized:
            continue
        before = set(audit.auditors.values_list("pk", flat=True))
        if replace:
            audit.auditors.set(auditors)
        else:
            audit.auditors.add(*auditors)
        if set(audit.auditors.values_list("pk", flat=True)) != before:
            changed += 1
            AuditEvent.objects.create(
                audit=audit, action=AuditEvent.Action.ASSIGNED, actor=by, comment=names
            )
    return changed
