"""Signing in in steps: the password (Django's LoginView), the one-time code (TOTP, RFC 6238,
or a one-use recovery code), then a new password where one is owed."""

import time
from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from axes.utils import reset as reset_lockout
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.network import client_address
from security.events import record
from security.models import Kind

from .signin import (
    PASSWORD_EXPIRED,
    PASSWORD_WEAK,
    SECOND_FACTOR,
    SECOND_FACTOR_DONE,
    check_typed_password,
)

RECOVERY_CODES = 10
AFTER_SECOND_FACTOR = "after_second_factor"  # session key: the page asked for at sign-in


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        super().form_valid(form)
        request = self.request
        check_typed_password(request, form.get_user(), form.cleaned_data["password"])
        step = request.session.get(SECOND_FACTOR)
        if step:
            # on to the code; where the person was going waits until it is right
            request.session[AFTER_SECOND_FACTOR] = self.get_success_url()
            return redirect("two_factor_verify" if step == "verify" else "two_factor_setup")
        # signed in for good: the failures before count no longer (with a second factor
        # they count on until the code is right, see two_factor_verify)
        _forgive_failures(request)
        return redirect(self.get_success_url())


def _forgive_failures(request):
    reset_lockout(ip=client_address(request), username=request.user.get_username())


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("One-time code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).lower()


def _wrong_code(request, form):
    """A wrong code counts like a wrong password: five lock the sign-in (django-axes)."""
    credentials = {"username": request.user.get_username(), "second_factor": True}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if AxesProxyHandler.is_locked(request, credentials) or getattr(
        request, "axes_locked_out", False
    ):
        logout(request)
        return get_lockout_response(request, credentials=credentials)
    form.add_error("code", _("This code is not right. Type the six digits your app shows now."))
    return None


def _passed(request):
    request.session[SECOND_FACTOR_DONE] = time.time()
    request.session.cycle_key()  # a new session id for the fully signed-in session
    _forgive_failures(request)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code of the authenticator app, or a recovery code."""
    if request.session.get(SECOND_FACTOR) != "verify" or request.session.get(SECOND_FACTOR_DONE):
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        user = request.user
        with transaction.atomic():
            totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            passed = code.isdigit() and any(device.verify_token(code) for device in totp)
            recovery = None
            if not passed and not code.isdigit():
                recovery = (
                    StaticDevice.objects.select_for_update()
                    .filter(user=user, confirmed=True)
                    .first()
                )
                passed = recovery is not None and recovery.verify_token(code)
        if passed:
            _passed(request)
            record(Kind.SECOND_FACTOR_PASSED, request=request)
            if recovery is not None:
                left = recovery.token_set.count()
                record(Kind.RECOVERY_CODE_USED, request=request, detail=f"{left}")
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; %(left)d are left. If the phone "
                        "is lost, ask the security administrator to reset the second factor."
                    )
                    % {"left": left},
                )
            return redirect(request.session.pop(AFTER_SECOND_FACTOR, settings.LOGIN_REDIRECT_URL))
        locked = _wrong_code(request, form)
        if locked is not None:
            return locked
    return render(request, "registration/two_factor_verify.html", {"form": form})


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: a QR code drawn here (no outside service), one code to confirm, then the
    recovery codes, shown once."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        messages.info(
            request,
            _(
                "Your second factor is already set up. To move it to a new phone, ask the "
                "security administrator to reset it."
            ),
        )
        return redirect(settings.LOGIN_REDIRECT_URL)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Phone"), confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = _enrol(device)
            _passed(request)
            record(Kind.SECOND_FACTOR_ENROLLED, request=request, target=user.get_username())
            return render(request, "registration/recovery_codes.html", {"codes": codes})
        locked = _wrong_code(request, form)
        if locked is not None:
            return locked
    url = device.config_url
    secret = _secret_of(device)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr": segno.make(url, error="m").svg_data_uri(scale=5, border=2),
            "secret": secret,
            "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


def _secret_of(device) -> str:
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


@transaction.atomic
def _enrol(device) -> list[str]:
    device.confirmed = True
    device.save()
    StaticDevice.objects.filter(user=device.user).delete()
    recovery = StaticDevice.objects.create(user=device.user, name=_("Recovery codes"))
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    return codes


class PasswordChangeView(auth_views.PasswordChangeView):
    """修改密码: asked of everyone whose password was set by someone else, has expired or no
    longer meets the rules, and open to anyone at any time."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("workbench")
    http_method_names = ["get", "head", "post"]

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.request.session
        context["reason"] = (
            "first"
            if self.request.user.must_change_password
            else "expired"
            if session.get(PASSWORD_EXPIRED)
            else "weak"
            if session.get(PASSWORD_WEAK)
            else ""
        )
        return context

    def form_valid(self, form):
        form.user.must_change_password = False
        response = super().form_valid(form)
        for key in (PASSWORD_EXPIRED, PASSWORD_WEAK):
            self.request.session.pop(key, None)
        messages.success(self.request, _("Your password was changed."))
        return response
