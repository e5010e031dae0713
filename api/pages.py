"""个人 API 令牌: a person makes a token for another system, sees its key once, and revokes
it; nobody sees another's tokens."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import tokens
from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What it is for"),
        max_length=100,
        help_text=gettext_lazy("e.g. the OA system; shown in the list and in the security log"),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=tokens.MAX_DAYS, initial=90
    )
    can_write = forms.BooleanField(
        label=gettext_lazy("May also change data (rectification steps), not only read it"),
        required=False,
    )


@require_http_methods(["GET", "POST"])
@login_required
def token_list(request):
    """The person's tokens, and the form for a new one (its key shown once, here)."""
    if not tokens.may_hold_token(request.user):
        raise PermissionDenied
    form = TokenForm(request.POST or None)
    key = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, key = tokens.issue(
                    request.user,
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"],
                    can_write=form.cleaned_data["can_write"],
                )
            except ValidationError as error:
                form.add_error("name", error)
            else:
                form = TokenForm()
        if key is None:
            status = 422
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "key": key,
            "tokens": ApiToken.objects.filter(user=request.user),
        },
        status=status,
    )


@require_POST
@login_required
def revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.revoke(token, by=request.user)
    messages.success(
        request,
        _("The token %(name)s is revoked: calls with it are refused now.") % {"name": token},
    )
    return redirect("api_tokens")
