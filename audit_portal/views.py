import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.access import SECURITY_HOMES
from accounts.models import Role
from agencies.access import latest_cycle
from agencies.models import Audit
from common.middleware import API_PREFIX

logger = logging.getLogger("portal.downloads")


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Take each person to where they work: the office to the current cycle, agency
    staff to their own agency's audit."""
    user = request.user
    if user.role in SECURITY_HOMES:
        return redirect(SECURITY_HOMES[user.role])
    cycle = latest_cycle()
    if cycle is None:
        return render(request, "home_empty.html")
    if user.role == Role.AUDITOR:
        return redirect("my_audits", year=cycle.year)
    if user.is_office_staff:
        return redirect("cycle_overview", year=cycle.year)
    audit = Audit.objects.filter(cycle=cycle, agency_id=user.agency_id).first()
    if audit is None:
        return render(request, "home_empty.html")
    return redirect("audit_detail", year=cycle.year, code=audit.agency.code)


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for a load balancer: 200 only when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    """The answer to an unexpected error (handler500), rendered without the database.

    When the error is that the database cannot be reached (restarting, the network between
    them down), the answer is 503 with Retry-After, which tells a person to wait a minute
    and a proxy or script that the request may be repeated; once the database answers again
    the next request opens a new connection (CONN_HEALTH_CHECKS), with nothing to restart.
    """
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return _database_unavailable(request)
    return _bare_page(request, "500.html", 500)


def page_not_found(request: HttpRequest, exception) -> HttpResponse:
    """handler404: the portal's page, and for an address under /api/ that no endpoint has
    (or a value its path cannot take) the API's JSON."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("There is no such address in the API.")}, status=404)
    from django.views.defaults import page_not_found as django_page_not_found

    return django_page_not_found(request, exception)


def _database_unavailable(request: HttpRequest) -> HttpResponse:
    response = _bare_page(request, "503.html", 503)
    response["Retry-After"] = "30"
    return response


def bad_request(request: HttpRequest, exception) -> HttpResponse:
    """handler400. A session that could not be saved because the database is unreachable
    (Django reports it as an interrupted session, a 400) is the outage's 503, not the
    visitor's mistake."""
    cause = exception
    while cause is not None:
        if isinstance(cause, DATABASE_UNAVAILABLE):
            return _database_unavailable(request)
        cause = cause.__context__
    from django.views.defaults import bad_request as django_bad_request

    return django_bad_request(request, exception)


def _bare_page(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    """A page rendered without the database (it may be what failed): the error pages."""
    context["request_id"] = getattr(request, "request_id", "")
    response = HttpResponse(loader.render_to_string(template, context), status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def download_unavailable(request: HttpRequest) -> HttpResponse:
    """Where nginx turns when it cannot send a file the portal handed to it (docs/operations.md,
    "Production": error_page in the internal location). The download was recorded when it
    was handed over; this records that it did not arrive, with the same request id, and
    tells the person in Chinese instead of saving nginx's error page as their PDF."""
    from security.events import record
    from security.models import Kind

    original = request.headers.get("X-Original-URI", "")
    prefix = settings.EVIDENCE_X_ACCEL_REDIRECT_PREFIX
    if prefix and original.startswith(prefix):
        # Someone asked for the internal location from outside (nginx refuses that with a
        # 404, which its error_page brings here): nothing was handed over, nothing failed.
        raise Http404
    logger.error(
        "the front server could not send a file the portal handed to it: %s",
        original[:500].encode("unicode_escape").decode("ascii"),
    )
    record(Kind.DOWNLOAD_FAILED, request=request, status=503, target=original)
    response = _bare_page(request, "download_unavailable.html", 503)
    response["Retry-After"] = "300"
    return response


@require_safe
def upload_too_large(request: HttpRequest) -> HttpResponse:
    """nginx's answer (error_page 413) when an upload passes client_max_body_size, in
    Chinese and with the portal's own limit."""
    return _bare_page(
        request, "413.html", 413, max_mb=settings.EVIDENCE_MAX_UPLOAD_BYTES // (1024 * 1024)
    )
