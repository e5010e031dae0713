"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py audit_portal.wsgi`.

Behind nginx (see docs/operations.md, "Production"), which buffers uploads and slow clients, so the
workers only ever talk to a fast local proxy. Every value can be set by the environment.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads let one worker go on serving pages while another request of it waits for the
# database or streams a ZIP; processes use both cores for rendering reports.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A report renders in under a second; a worker silent for a minute is stuck and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so that memory fragmentation from PDF rendering never
# accumulates; the jitter keeps them from restarting all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Heartbeat files in memory, not on a disk that may stall (gunicorn's documented advice;
# it creates them itself with mkstemp, private to the worker).
SHARED_MEMORY = "/dev/shm"  # noqa: S108  # nosec B108
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
# Only the local nginx may say that a request came over HTTPS or from which address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The portal writes one access line per request with its request id (common.logs);
# gunicorn's own lines go to standard error, beside it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own lines in the portal's format: the same time zone, with its offset.
logconfig_dict = {
    # not handed on to the root logger, where the portal's own handler would print them again
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        # the portal writes its own access line, with the request id (accesslog = None)
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    },
    "formatters": {
        "generic": {
            "()": "common.logs.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s [-] %(name)s %(message)s",
        }
    },
}
proc_name = "audit-portal"
# gunicorn's control socket (for `gunicornc`) defaults to $HOME/.gunicorn, which the service
# user cannot write: it is off unless GUNICORN_CONTROL_SOCKET names a path the user owns
# (with systemd's RuntimeDirectory=audit-portal: /run/audit-portal/gunicorn.ctl).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
