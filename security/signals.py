from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .events import record
from .models import Kind


@receiver(user_logged_in, dispatch_uid="security_sign_in")
def on_sign_in(sender, request, user, **kwargs):
    record(Kind.SIGN_IN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="security_sign_out")
def on_sign_out(sender, request, user, **kwargs):
    if user is not None:
        record(Kind.SIGN_OUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="security_sign_in_failed")
def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    record(Kind.SIGN_IN_FAILED, request=request, username=str(credentials.get("username", "")))


@receiver(user_locked_out, dispatch_uid="security_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    record(Kind.LOCKED_OUT, request=request, username=str(username or ""))
