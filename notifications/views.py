from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from common.paging import paginate

from . import services
from .models import Delivery


@require_safe
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The signed-in person's notifications, newest first, unread ones marked."""
    deliveries = (
        Delivery.objects.filter(recipient=request.user)
        .select_related("notification")
        .order_by("-notification__created_at", "-pk")
    )
    context = {
        "paged": paginate(request, deliveries),
        "unread": services.unread_count(request.user),
    }
    return render(request, "notifications/inbox.html", context)


@require_POST
@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the person's notifications read and go where it points."""
    delivery = (
        Delivery.objects.filter(pk=pk, recipient=request.user).select_related("notification")
    ).first()
    if delivery is None:
        raise Http404
    services.mark_read(request.user, ids=[delivery.pk])
    link = delivery.notification.link
    if not url_has_allowed_host_and_scheme(link, allowed_hosts=None) or not link.startswith("/"):
        return redirect("notifications")
    return redirect(link)


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    """Mark every notification of the person read."""
    services.mark_read(request.user)
    return redirect("notifications")
