"""Writing security events: one call, from views, signals and the middleware.

An event is also written to the log (logger ``portal.security``), so that it reaches the
server's log even when the database cannot take it (and a refused request never turns into
an error because its event could not be stored).
"""

import ipaddress
import logging
from urllib.parse import unquote

from django.conf import settings
from django.db import DatabaseError

from .models import Kind, SecurityEvent

logger = logging.getLogger("portal.security")


def client_address(request) -> str | None:
    """The visitor's address: REMOTE_ADDR, or with PROXY_COUNT proxies in front (nginx),
    the address the nearest of them saw in X-Forwarded-For (never a value the client
    chose)."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def record(
    kind: Kind,
    *,
    request=None,
    user=None,
    username: str = "",
    target: str = "",
    status: int | None = None,
) -> SecurityEvent | None:
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if user is not None and not username:
        username = user.get_username()
    event = SecurityEvent(
        kind=kind,
        user=user,
        username=username[:150],
        target=target[:300],
        status=status,
    )
    if request is not None:
        event.address = client_address(request)
        event.method = (request.method or "")[:10]
        event.path = request.get_full_path()[:500]
        event.request_id = getattr(request, "request_id", "")[:64]
    logger.info(
        "%s user=%s address=%s target=%s status=%s path=%s",
        kind.value,
        event.username or "-",
        event.address or "-",
        event.target or "-",
        status or "-",
        event.path or "-",
    )
    try:
        event.save()
    except DatabaseError:
        logger.exception("security event not stored: the database refused it")
        return None
    return event


def audit_target(audit) -> str:
    return f"{audit.cycle.year} · {audit.agency.code} {audit.agency.name}"


def attachment_name(content_disposition: str) -> str:
    """The file name a Content-Disposition header gives (RFC 6266 / 5987), or ""."""
    plain = ""
    for part in content_disposition.split(";"):
        key, _sep, value = part.strip().partition("=")
        key = key.lower()
        if key == "filename*":
            _charset, _lang, encoded = (
                value.split("'", 2) if value.count("'") >= 2 else ("", "", value)
            )
            return unquote(encoded, encoding="utf-8", errors="replace")
        if key == "filename":
            plain = value.strip('"')
    return plain
