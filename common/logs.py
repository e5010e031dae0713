"""One line per event, each carrying the id of the request it belongs to.

Every request gets an id (nginx's X-Request-ID when it sends a well-formed one, else a new
one), returned to the browser in the X-Request-ID header and shown on error pages, so that
"请求编号 3f2a…" read out on the phone finds the log lines and the security events of that
request. Tracebacks are folded onto their event's line so that a log reader (journald,
grep) never sees half an event.
"""

import logging
import os
import re
import time
import uuid
from contextvars import ContextVar
from datetime import datetime
from zoneinfo import ZoneInfo

from common.network import client_address

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_logger = logging.getLogger("portal.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id.get()
        return True


# Every line in one time zone, the portal's, with its offset, whatever the server's own
# zone: gunicorn's lines (gunicorn.conf.py uses this formatter too) and the portal's agree,
# and a line read next to nginx's ($time_iso8601) or journald's is never ambiguous.
LOG_ZONE = ZoneInfo(os.environ.get("TIME_ZONE") or "Asia/Shanghai")


class OneLineFormatter(logging.Formatter):
    def formatTime(self, record, datefmt=None):
        moment = datetime.fromtimestamp(record.created, LOG_ZONE)
        return f"{moment:%Y-%m-%d %H:%M:%S}.{int(record.msecs):03d} {moment:%z}"

    def format(self, record):
        text = super().format(record)
        return text.replace("\r", "").replace("\n", " ⏎ ")


def request_id_middleware(get_response):
    """The outermost middleware: an id for the request, then one access line for it."""

    def middleware(request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if REQUEST_ID_PATTERN.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = get_response(request)
            response["X-Request-ID"] = request_id
            # Only a user already loaded: when the database is down, looking one up would
            # fail here, outside the error handling of the inner layers.
            user = getattr(request, "_cached_user", None)
            access_logger.info(
                "%s %s %s %.1fms user=%s address=%s",
                request.method,
                request.get_full_path(),
                response.status_code,
                (time.perf_counter() - started) * 1000,
                user.get_username() if user is not None and user.is_authenticated else "-",
                client_address(request) or "-",
            )
            return response
        finally:
            current_request_id.reset(token)

    return middleware
