"""Writing security events: one call, from views, signals and the middleware.

An event is also written to the log (logger ``portal.security``), so that it reaches the
server's log even when the database cannot take it (and a refused request never turns into
an error because its event could not be stored).
"""

import logging
from email.message import Message
from email.utils import collapse_rfc2231_value

from django.db import DatabaseError, transaction

from common.network import client_address

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
    detail: str = "",
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
        detail=_storable(detail, 20_000),
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
    """The file name a Content-Disposition header gives (RFC 6266 / 5987), or "".

    Read by the standard library's MIME parser, which knows quoted strings (a name may hold
    ";" or "="), escapes, and filename*'s charset and percent-encoding (RFC 2231); a name
    whose bytes are not UTF-8 is shown with replacement characters rather than refused.
    """
    message = Message()
    message["Content-Disposition"] = content_disposition
    names = [
        value
        for key, value in message.get_params([], header="content-disposition")
        if key.lower() == "filename"
    ]
    # filename* (decoded into a tuple) wins over filename, as in browsers (RFC 6266 4.3)
    chosen = next((v for v in names if isinstance(v, tuple)), names[0] if names else "")
    return collapse_rfc2231_value(chosen).strip() if chosen else ""
