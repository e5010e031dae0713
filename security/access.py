"""Who may read the security log and change the security settings (三员分立): asked of the
user's own role properties, so that the log imports nothing above the ground."""

from django.core.exceptions import PermissionDenied


def can_read_security_log(user) -> bool:
    """The security log is the security auditor's, and only theirs (三员分立): not the
    system administrator's whose work it records, nor the managers'."""
    return user.is_authenticated and user.is_security_auditor


def require_security_admin(user) -> None:
    """Roles, locks, second-factor resets and the security settings (安全管理员)."""
    if not (user.is_authenticated and user.is_security_admin):
        raise PermissionDenied
