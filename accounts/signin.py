"""What a person must do after the password before working: the second factor (TOTP) and
a new password (first sign-in, expired, or no longer good enough).

Decided once, at sign-in, and kept in the session, so the gate that enforces it
(accounts.middleware) reads no database on a normal request.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import SECOND_FACTOR_ROLES
from .passwords import PasswordHistoryValidator

# session keys
SECOND_FACTOR = "second_factor"  # "verify" (enrolled) or "enrol"; absent: not asked
SECOND_FACTOR_DONE = "second_factor_at"
PASSWORD_EXPIRED = "password_expired"  # noqa: S105 -- a session key
PASSWORD_WEAK = "password_weak"  # noqa: S105 -- a session key

EXPIRY_WARNING_DAYS = 7


def second_factor_required(user, policy) -> bool:
    if not settings.OTP_REQUIRED:
        return False
    return user.role in SECOND_FACTOR_ROLES or policy.second_factor_for_everyone


def password_age_limit(policy) -> timedelta | None:
    days = policy.password_max_age_days
    return timedelta(days=days) if days else None


def password_expires_at(user, policy):
    limit = password_age_limit(policy)
    if limit is None:
        return None
    changed = user.password_changed_at or user.date_joined
    return changed + limit


@receiver(user_logged_in, dispatch_uid="accounts_sign_in_duties")
def on_sign_in(sender, request, user, **kwargs):
    from security.models import SecurityPolicy

    if request is None or not hasattr(request, "session"):
        return
    policy = SecurityPolicy.current()
    session = request.session
    enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if enrolled:
        session[SECOND_FACTOR] = "verify"  # set up by choice or by rule: always asked
    elif second_factor_required(user, policy):
        session[SECOND_FACTOR] = "enrol"
    expires = password_expires_at(user, policy)
    now = timezone.now()
    if expires is not None and expires <= now:
        session[PASSWORD_EXPIRED] = True
    elif expires is not None and expires - now <= timedelta(days=EXPIRY_WARNING_DAYS):
        days = max(1, (expires - now).days)
        messages.warning(
            request,
            _("Your password expires in %(days)d days. Change it now under 修改密码.")
            % {"days": days},
            fail_silently=True,  # a test client's sign-in has no messages
        )


def check_typed_password(request, user, password: str) -> None:
    """A password that no longer meets the rules (demo2023 in production, one set before
    the rules) must be changed now. With DEBUG on the demo accounts keep theirs."""
    if settings.DEBUG:
        return
    rules = [
        rule
        for rule in password_validation.get_default_password_validators()
        if not isinstance(rule, PasswordHistoryValidator)  # the typed one is the current one
    ]
    try:
        password_validation.validate_password(password, user, rules)
    except ValidationError:
        request.session[PASSWORD_WEAK] = True
