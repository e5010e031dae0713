import csv
import io
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from common.spreadsheets import not_a_formula, set_up_printing
from security.access import can_read_security_log

from .models import Kind, SecurityEvent
from .pages import describe_path

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
    """The security log for the security auditor: newest first, filtered."""
    if not can_read_security_log(request.user):
        raise PermissionDenied
    form = EventFilter(request.GET or None)
    events = SecurityEvent.objects.all()
    if request.GET:
        events = form.apply(events)
    page = Paginator(events.select_related("user"), PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        # a refused request's target is its address: say which page that is
        event.target_words = (
            describe_path(event.path) if event.path and event.target == event.path else event.target
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "security/event_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


EXPORT_COLUMNS = (
    ("at", _("Time")),
    ("kind", _("Event")),
    ("username", _("User name")),
    ("full_name", _("Name")),
    ("address", _("Address")),
    ("method", _("Method")),
    ("path", _("Address requested")),
    ("status", _("Answer")),
    ("target", _("Target")),
    ("detail", _("Details")),
    ("request_id", _("Request ID")),
    ("hash", _("Hash")),
)
# An Excel sheet holds 1,048,576 rows; a longer export is asked to be narrowed.
EXPORT_MAX_ROWS = 1_000_000


def _export_rows(events, kinds):
    zone = timezone.get_current_timezone()
    for event in events.select_related("user").order_by("at", "id").iterator(chunk_size=2000):
        values = (
            event.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            kinds.get(event.kind, event.kind),
            event.username,
            event.user.display_name if event.user else "",
            event.address or "",
            event.method,
            event.path,
            event.status if event.status is not None else "",
            event.target,
            event.detail,
            event.request_id,
            event.hash,
        )
        yield [not_a_formula(value) for value in values]


@require_safe
@login_required
def event_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The log as Excel or CSV, with the page's filters, oldest first; every cell that
    starts like a formula is escaped (common.spreadsheets.not_a_formula)."""
    if not can_read_security_log(request.user):
        raise PermissionDenied
    form = EventFilter(request.GET or None)
    events = form.apply(SecurityEvent.objects.all()) if request.GET else SecurityEvent.objects.all()
    if request.GET and not form.is_valid():
        messages.error(request, _("Nothing was exported: correct the filters first."))
        return redirect(f"{reverse('security_events')}?{request.GET.urlencode()}")
    if events.count() > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _("More than %(n)s events match: narrow the dates and export again.")
            % {"n": f"{EXPORT_MAX_ROWS:,}"},
        )
        return redirect(f"{reverse('security_events')}?{request.GET.urlencode()}")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    headers = [str(label) for _name, label in EXPORT_COLUMNS]
    # in the person's language now: the CSV's rows are written after the view returns
    kinds = {value: str(label) for value, label in Kind.choices}
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(headers, _export_rows(events, kinds)))
        response["Content-Type"] = "text/csv; charset=utf-8"
        name = f"security-log-{stamp}.csv"
    else:
        response = HttpResponse(
            _xlsx(headers, _export_rows(events, kinds)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"security-log-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class _Echo:
    def write(self, value):
        return value


def _csv_lines(headers, rows):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM: Excel and WPS then read the Chinese as UTF-8
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow(row)


# column widths of the export (time, event, user, name, address, method, path, answer,
# target, details, request ID, hash); the long ones wrap
EXPORT_WIDTHS = (19, 14, 12, 10, 15, 8, 30, 8, 30, 36, 14, 20)
EXPORT_WRAPPED = frozenset({7, 9, 10, 11, 12})


def _xlsx(headers, rows) -> bytes:
    book = Workbook(write_only=True)
    title = str(_("Security log"))
    sheet = book.create_sheet(title)
    for column, width in enumerate(EXPORT_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    set_up_printing(sheet, f"{title} {timezone.localtime():%Y-%m-%d %H:%M}")
    bold = Font(bold=True)
    wrapped = Alignment(wrap_text=True, vertical="top")

    def header_cell(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        return cell

    def body_cell(column, value):
        if column not in EXPORT_WRAPPED:
            return value
        cell = WriteOnlyCell(sheet, value=value)
        cell.alignment = wrapped
        return cell

    sheet.append([header_cell(value) for value in headers])
    rows = ([body_cell(i, value) for i, value in enumerate(row, 1)] for row in rows)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
