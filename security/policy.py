"""安全设置: the security administrator's page for the security policy."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .access import require_security_admin
from .models import SecurityPolicy


class PolicyForm(forms.ModelForm):
    class Meta:
        model = SecurityPolicy
        fields = ["password_max_age_days", "inactive_days", "second_factor_for_everyone"]


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def policy(request: HttpRequest) -> HttpResponse:
    """安全设置: password age, unused accounts, who signs in with a second factor."""
    require_security_admin(request.user)
    current = SecurityPolicy.current()
    form = PolicyForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST":
        if form.is_valid():
            form.save()  # logged with before → after by security.changes
            messages.success(request, _("The security settings were saved."))
            return redirect("security_settings")
        messages.error(request, _("The settings were not saved: correct the marked fields."))
    return render(
        request,
        "security/policy.html",
        {"form": form, "otp_required": settings.OTP_REQUIRED},
        status=422 if form.errors else 200,
    )
