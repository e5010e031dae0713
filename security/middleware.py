from .changes import current_request
from .events import attachment_name, record
from .models import Kind

# Paths whose answers say nothing about anyone's data.
QUIET_PREFIXES = ("/static/", "/favicon.ico", "/healthz")


def security_event_middleware(get_response):
    """Record refused requests and downloads, whichever view answered them.

    Refused: every 400 (a malformed request: a NUL character, an unsafe redirect) and 403,
    and every 404 to a signed-in user (asking for another agency's audit or file answers
    404, so that its existence is not revealed). Downloads: every
    successful answer that carries a file (Content-Disposition), evidence, ZIPs, reports,
    spreadsheets and the admin's exports alike, so a new download cannot be forgotten.
    """

    def middleware(request):
        token = current_request.set(request)
        try:
            response = get_response(request)
        finally:
            current_request.reset(token)
        if request.path.startswith(QUIET_PREFIXES) or getattr(response, "security_recorded", False):
            return response  # (a view that recorded the request itself, the API, marks it)
        status = response.status_code
        if status in (400, 403) or (status == 404 and _signed_in(request)):
            record(Kind.DENIED, request=request, status=status, target=request.path)
        elif 200 <= status < 300 and (disposition := _disposition(response)):
            name = attachment_name(disposition) or request.path
            record(Kind.DOWNLOAD, request=request, status=status, target=name)
        return response

    return middleware


def _disposition(response) -> str:
    """The attachment header of a download, also of one handed to nginx (which adds it as
    Content-Disposition only when it sends the file; see evidence.views.download)."""
    return response.get("Content-Disposition") or response.get("X-Evidence-Disposition") or ""


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
