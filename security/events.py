"""Writing security events: one call, from views, signals and the middleware.

An event is also written to the log (logger ``portal.security``), so that it reaches the
server's log even when the database cannot take it (and a refused request never turns into
an error because its event could not be stored).
"""

import logging
from urllib.parse import unquote

from django.db import DatabaseError, transaction

from audit_portal.network import client_address

from .models import Kind, SecurityEvent

logger = logging.getLogger("portal.security")


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
        username=_storable(username, 150),
        target=_storable(target, 300),
        status=status,
    )
    if request is not None:
        event.address = client_address(request)
        event.method = _storable(request.method or "", 10)
        event.path = _storable(request.get_full_path(), 500)
        event.request_id = _storable(getattr(request, "request_id", ""), 64)
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
        # a savepoint: a refused row must not break the transaction of the request around it
        with transaction.atomic():
            event.save()
    except (DatabaseError, ValueError):
        logger.exception("security event not stored: the database refused it")
        return None
    return event


def _storable(text: str, length: int) -> str:
    """What a database keeps of a text a visitor chose: NUL (which PostgreSQL refuses in any
    string) shown as U+FFFD, lone surrogates replaced, cut to the column's length."""
    text = text.replace("\x00", "\ufffd")
    text = text.encode("utf-8", "replace").decode("utf-8")
    return text[:length]


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
