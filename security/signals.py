from axes.signals import user_locked_out
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .events import record
from .models import Kind, SecurityEvent


@receiver(user_logged_in, dispatch_uid="security_sign_in")
def on_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "_messages"):  # not a test's force_login
        _tell_last_sign_in(request, user)
    record(Kind.SIGN_IN, request=request, user=user)


def _tell_last_sign_in(request, user):
    """When and from where this person last signed in, and the failed attempts since
    (等保 level 3: a person notices use of their account that was not theirs)."""
    previous = (
        SecurityEvent.objects.filter(user=user, kind=Kind.SIGN_IN).order_by("-at", "-id").first()
    )
    failures = SecurityEvent.objects.filter(
        username=user.get_username(), kind__in=(Kind.SIGN_IN_FAILED, Kind.SECOND_FACTOR_FAILED)
    )
    if previous is None:
        messages.info(request, _("Welcome: this is your first sign-in."))
        return
    failed = failures.filter(at__gt=previous.at).count()
    when = timezone.localtime(previous.at).strftime("%Y-%m-%d %H:%M")
    text = _("Last sign-in: %(when)s from %(address)s.") % {
        "when": when,
        "address": previous.address or "—",
    }
    if failed:
        text += " " + ngettext(
            "Since then %(n)d failed attempt to sign in to your account. If it was not you, "
            "tell the security administrator.",
            "Since then %(n)d failed attempts to sign in to your account. If they were not "
            "yours, tell the security administrator.",
            failed,
        ) % {"n": failed}
        messages.warning(request, text)
    else:
        messages.info(request, text + " " + _("No failed attempts since."))


@receiver(user_logged_out, dispatch_uid="security_sign_out")
def on_sign_out(sender, request, user, **kwargs):
    if user is not None:
        record(Kind.SIGN_OUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="security_sign_in_failed")
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    kind = Kind.SECOND_FACTOR_FAILED if credentials.get("second_factor") else Kind.SIGN_IN_FAILED
    record(kind, request=request, username=str(credentials.get("username", "")))


@receiver(user_locked_out, dispatch_uid="security_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    record(Kind.LOCKED_OUT, request=request, username=str(username or ""))
