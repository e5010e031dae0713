from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from accounts.access import SECURITY_HOMES

from .selectors import sections_for


@require_safe
@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """工作台: everything that waits for the signed-in person, each line linking to the work."""
    if request.user.role in SECURITY_HOMES:
        # the security roles have no business work: their page is their workbench
        return redirect(SECURITY_HOMES[request.user.role])
    sections = sections_for(request.user)
    waiting = sum(s.total for s in sections)
    # "todo" is also the top bar's count: given here, it is not worked out a second time
    context = {"sections": sections, "waiting": waiting, "todo": {"count": waiting}}
    return render(request, "workbench/workbench.html", context)
