"""账号管理, the security administrator's pages (安全管理员): accounts, their roles, locks and
second factors (the security settings are ``security.policy``). No business data: an account's agency is the most
they see of it.

Every change is the security administrator's alone, never on their own account (三员分立:
nobody raises their own rights or removes their own factor), and each lands in the
security log with its before → after (security.changes).
"""

from axes.models import AccessAttempt
from axes.utils import reset as reset_lockout
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.paging import paginate
from security.access import require_security_admin
from security.events import record
from security.models import Kind

from .models import Role, User

# The roles the security administrator may give an office account. Agency staff belong to
# an agency (business data), so an agency account keeps its role; a new role for a person
# who moves is a new account.
OFFICE_ACCOUNT_ROLES = [
    (role.value, role.label)
    for role in (
        Role.AUDITOR,
        Role.MANAGER,
        Role.ADMINISTRATOR,
        Role.SECURITY_ADMIN,
        Role.SECURITY_AUDITOR,
    )
]


class AccountFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        required=False,
        choices=[("", gettext_lazy("All roles")), *Role.choices],
    )
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("disabled", gettext_lazy("Disabled")),
            ("locked", gettext_lazy("Locked")),
            ("no_factor", gettext_lazy("No second factor")),
        ],
    )


def _accounts():
    locked = AccessAttempt.objects.filter(
        username=OuterRef("username"),
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        # a lock ends by itself after the cool-off (15 minutes)
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    )
    enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return User.objects.select_related("agency").annotate(
        locked=Exists(locked), enrolled=Exists(enrolled)
    )


@require_safe
@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    require_security_admin(request.user)
    form = AccountFilter(request.GET or None)
    accounts = _accounts().order_by("role", "username")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            accounts = accounts.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
        if data["role"]:
            accounts = accounts.filter(role=data["role"])
        if data["state"] == "disabled":
            accounts = accounts.filter(is_active=False)
        elif data["state"] == "locked":
            accounts = accounts.filter(locked=True)
        elif data["state"] == "no_factor":
            accounts = accounts.filter(enrolled=False)
    paged = paginate(request, accounts)
    return render(
        request, "accounts/account_list.html", {"form": form, "paged": paged, "page": paged.page}
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=OFFICE_ACCOUNT_ROLES)


ACTIONS = ("role", "disable", "enable", "unlock", "reset_second_factor")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_security_admin(request.user)
    account = get_object_or_404(_accounts(), pk=pk)
    own = account.pk == request.user.pk
    role_form = RoleForm(initial={"role": account.role})
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            messages.error(request, _("Nothing was changed: the form was not understood."))
        elif own:
            messages.error(
                request,
                _(
                    "Nobody changes their own role, lock or second factor: another security "
                    "administrator does it."
                ),
            )
        elif action == "role":
            role_form = RoleForm(request.POST)
            if _change_role(request, account, role_form):
                return redirect("security_account", pk=account.pk)
        else:
            _ACT[action](request, account)
            return redirect("security_account", pk=account.pk)
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "own": own,
            "role_form": role_form,
            "agency_account": account.role == Role.AGENCY_STAFF,
        },
        status=422 if role_form.errors else 200,
    )


def _change_role(request, account, form) -> bool:
    if account.role == Role.AGENCY_STAFF:
        messages.error(
            request,
            _(
                "An agency account keeps its role. For a person who moves to the office, the "
                "system administrator creates an office account."
            ),
        )
        return False
    if not form.is_valid():
        return False
    new = form.cleaned_data["role"]
    if new == account.role:
        messages.info(request, _("The role is unchanged."))
        return True
    before = account.get_role_display()
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=account.pk)
        account.role = new
        account.save()  # logged with before → after by security.changes
    messages.success(
        request,
        _("%(user)s: role changed from %(before)s to %(after)s.")
        % {"user": account.username, "before": before, "after": account.get_role_display()},
    )
    return True


def _set_active(request, account, active: bool):
    # an update, not a save: the event below says it once (the change log would say it again)
    changes = {"is_active": active, **({"enabled_at": timezone.now()} if active else {})}
    User.objects.filter(pk=account.pk).update(**changes)
    record(
        Kind.ACCOUNT_ENABLED if active else Kind.ACCOUNT_DISABLED,
        request=request,
        target=account.username,
    )
    if active:
        messages.success(request, _("%(user)s can sign in again.") % {"user": account.username})
    else:
        messages.success(
            request, _("%(user)s is disabled and cannot sign in.") % {"user": account.username}
        )


def _unlock(request, account):
    removed = reset_lockout(username=account.username)
    record(Kind.UNLOCKED, request=request, target=account.username, detail=str(removed))
    messages.success(request, _("%(user)s's sign-in lock is lifted.") % {"user": account.username})


def _reset_second_factor(request, account):
    with transaction.atomic():
        TOTPDevice.objects.filter(user=account).delete()
        StaticDevice.objects.filter(user=account).delete()
    record(Kind.SECOND_FACTOR_RESET, request=request, target=account.username)
    messages.success(
        request,
        _(
            "%(user)s's second factor is reset: at the next sign-in they set it up again "
            "with a new QR code."
        )
        % {"user": account.username},
    )


_ACT = {
    "disable": lambda request, account: _set_active(request, account, False),
    "enable": lambda request, account: _set_active(request, account, True),
    "unlock": _unlock,
    "reset_second_factor": _reset_second_factor,
}
