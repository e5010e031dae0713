"""Checks that read only the person's role (an agency's audit is not needed): the checks
that do read an audit are in ``agencies.access``, the security log's in ``security.access``."""

from django.core.exceptions import PermissionDenied

from .models import Role

# The security roles have no business work: their own page is where they start.
SECURITY_HOMES = {
    Role.SECURITY_ADMIN: "security_accounts",
    Role.SECURITY_AUDITOR: "security_events",
}


def require_manager(user) -> None:
    if not user.is_manager:
        raise PermissionDenied


def can_manage_rectification(user) -> bool:
    """Managers move deadlines and reopen closed items."""
    return user.is_manager
