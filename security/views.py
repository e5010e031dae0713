from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from audit_portal.access import can_read_security_log

from .models import Kind, SecurityEvent

PAGE_SIZE = 100


class EventFilter(forms.Form):
    kind = forms.ChoiceField(
        label=_("Event"), choices=[("", _("All events")), *Kind.choices], required=False
    )
    user = forms.CharField(label=_("User name"), required=False, max_length=150)
    address = forms.CharField(label=_("Address"), required=False, max_length=45)
    since = forms.DateField(label=_("From"), required=False)
    until = forms.DateField(label=_("To"), required=False)

    # The log began with the portal; a date far outside these years is a typing slip (and
    # a day past 9999-12-31 does not exist to compare with).
    EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)

    def _clean_date(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not self.EARLIEST <= value <= self.LATEST:
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s.")
                % {"first": self.EARLIEST.isoformat(), "last": self.LATEST.isoformat()}
            )
        return value

    def clean_since(self):
        return self._clean_date("since")

    def clean_until(self):
        return self._clean_date("until")

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def apply(self, events):
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["user"]:
            events = events.filter(username__icontains=data["user"].strip())
        if data["address"]:
            events = events.filter(address__startswith=data["address"].strip())
        # Dates are the office's days (Beijing time); the log stores UTC.
        zone = timezone.get_current_timezone()
        if data["since"]:
            events = events.filter(at__gte=datetime.combine(data["since"], time.min, tzinfo=zone))
        if data["until"]:
            end = datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=zone)
            events = events.filter(at__lt=end)
        return events


@require_safe
@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """The security log for managers and administrators: newest first, filtered."""
    if not can_read_security_log(request.user):
        raise PermissionDenied
    form = EventFilter(request.GET or None)
    events = SecurityEvent.objects.all()
    if request.GET:
        events = form.apply(events)
    page = Paginator(events.select_related("user"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "security/event_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )
