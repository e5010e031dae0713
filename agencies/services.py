from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role

from .models import AuditEvent


class AssignmentError(Exception):
    pass


@transaction.atomic
def assign_auditors(*, audits, auditors, by, replace: bool = False) -> int:
    """Assign auditors to several audits at once; with ``replace`` they become the only ones.

    Returns how many audits changed. Finalized audits keep their auditors: they are the
    people named on the issued report.
    """
    auditors = list(auditors)
    if any(user.role != Role.AUDITOR for user in auditors):
        raise AssignmentError(_("Only auditors can be assigned to an agency."))
    if replace and not auditors:
        raise AssignmentError(_("Choose at least one auditor."))
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
