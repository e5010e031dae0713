"""Settings for the test suite: the production settings with test-only values filled in.

Tests run with DEBUG off, as production does. Only what must differ is set here.
"""

import atexit
import os
import shutil
import tempfile

# One temporary folder per test process for everything a run writes (evidence, report ZIPs,
# the SQLite test database with its -wal and -shm), removed when the process ends. A
# process started by a test inherits EVIDENCE_ROOT and so writes into its parent's folder.
_SCRATCH = tempfile.mkdtemp(prefix="audit-portal-test-")
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)

os.environ.setdefault(
    "SECRET_KEY", "test-suite-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The test client and the browser tests' server speak plain HTTP.
for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
    os.environ.setdefault(name, "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
# Each test run keeps its evidence files in a folder of its own, never in var/.
os.environ.setdefault("EVIDENCE_ROOT", os.path.join(_SCRATCH, "evidence"))
os.environ.setdefault("REPORT_BUNDLE_ROOT", os.path.join(_SCRATCH, "bundles"))
os.environ.setdefault("ARCHIVE_ROOT", os.path.join(_SCRATCH, "archives"))

from .settings import *  # noqa: E402, F403
from .settings import DATABASES, STORAGES  # noqa: E402

# Hashing passwords slowly is the point in production and a waste of minutes in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Static files straight from the source folders; no collectstatic before a test run.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A test database on disk, not in memory: in-memory SQLite shares one cache between the
    # browser tests' server thread and the test, and refuses concurrent writes outright
    # instead of queueing them as the real (file, WAL, IMMEDIATE) database does.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(_SCRATCH, "test.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A test database is thrown away: its commits need not wait for the disk (the browser
    # and live-server tests commit thousands of times).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
REPORT_RENDER_PROCESSES = 1  # the parallel path is exercised by make bench and one test

# Thousands of API calls in one process (the permission matrix, the schemathesis fuzz) share
# the rate limit's cache; the limit itself is tested with its own rate (api/tests).
API_RATE = "1000000/min"
