"""Settings for the audit portal, read from the environment.

One file serves development, tests and production; every difference is an environment
variable (see docs/operations.md, "Configuration"). With DEBUG off the portal refuses to start on a
configuration that would be unsafe in production, instead of running with a weak default.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (DEBUG is off, so no development default is used)."
        )
    SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is empty. Set the ALLOWED_HOSTS environment variable to the host names "
        "the portal answers to, separated by commas."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Security. With DEBUG off these default to what a production site behind HTTPS needs;
# each can be set by its environment variable (for example SECURE_SSL_REDIRECT=0 when the
# proxy in front already redirects). Check with: manage.py check --deploy
SECURE_BY_DEFAULT = not DEBUG
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE_BY_DEFAULT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE_BY_DEFAULT)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # the pages send the token from their forms, never from the cookie
# The language choice is a cookie like the others: HTTPS only in production, out of scripts'
# reach, and not sent along with other sites' requests.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE_BY_DEFAULT)
# A monitoring probe on the server itself asks gunicorn for /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE_BY_DEFAULT else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_BY_DEFAULT)
if env_bool("SECURE_PROXY_SSL_HEADER"):
    # Only behind a proxy that sets X-Forwarded-Proto itself (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A strict policy: no inline script or style, nothing from another origin.
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)
# Django's admin and django-import-export's admin pages use inline styles and a few inline
# event handlers; the admin (administrators only) gets a policy that allows those, still
# nothing from another origin.
ADMIN_CONTENT_SECURITY_POLICY = os.environ.get(
    "ADMIN_CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
# The API's docs page (Swagger UI, served by the portal) sets styles inline: that page alone
# allows inline styles; its scripts stay the portal's own files.
API_DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self';", "style-src 'self' 'unsafe-inline';"
)
# Sessions end after 30 minutes without a request, and 12 hours after signing in.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_MAX_SECONDS = int(os.environ.get("SESSION_MAX_HOURS", "12")) * 3600
# HSTS preload is a commitment for the public internet; an intranet host cannot be preloaded.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Where the portal keeps its own files in the embedded set-up: the SQLite database and
# (later) the private evidence store. Never served by any URL.
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

INSTALLED_APPS = [
    "audit_portal.admin_config.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "import_export",
    "template_partials",
    "django_tasks",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by the portal itself, no CDN
    "audit_portal.apps.TasksDatabaseConfig",  # django_tasks_db, named in Chinese
    "audit_portal",
    "accounts",
    "agencies",
    "checklist",
    "evidence",
    "selfassessment",
    "rectification",
    "procedure",
    "reports",
    "cycles",
    "archives",
    "problems",
    "notifications",
    "security",
    "workbench",
    "manual",
    "api",
]

MIDDLEWARE = [
    "common.logs.request_id_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.security_headers_middleware",
    "common.middleware.language_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "common.middleware.session_lifetime_middleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "security.middleware.security_event_middleware",
    # after the log's middleware: a person sent to the second factor or to a new password
    # is not a refusal
    "accounts.middleware.account_gate_middleware",
    # inside the security log's middleware, so that its refusals are recorded
    "common.middleware.reject_nul_middleware",
]

ROOT_URLCONF = "audit_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "audit_portal.context_processors.portal",
                "workbench.context_processors.waiting",
                "notifications.context_processors.unread",
                "manual.context_processors.help_link",
            ],
        },
    },
]

WSGI_APPLICATION = "audit_portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        # Persistent connections (checked before reuse): a new PostgreSQL connection per
        # request costs more than most of our pages take to render.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database serves several people at once: WAL lets readers go on while
    # one request writes, IMMEDIATE transactions queue writers instead of failing them with
    # "database is locked", and NORMAL sync is durable across application crashes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one user from one address lock that sign-in for 15 minutes
# (django-axes); a correct sign-in clears the count. Wrong one-time codes count too, and a
# sign-in is correct only once its code is: the portal clears the count then
# (accounts.views), not django-axes at the password.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# How many proxies (nginx) stand in front: the visitor's address is then taken from the
# X-Forwarded-For header they add, for the lockout and the security log alike.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "common.network.client_address"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench"  # 工作台: what waits for the person signing in
LOGOUT_REDIRECT_URL = "login"

# Passwords (等保 level 3, 身份鉴别 a): 8 characters or more, three of four kinds, not the
# user name, not a common password, none of the last five (accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "accounts.passwords.ComplexityValidator"},
    {"NAME": "accounts.passwords.UserNameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.PasswordHistoryValidator"},
]
# Two-factor sign-in (TOTP) for managers, administrators and the security roles; the
# security administrator can extend it to every role (安全设置). Off by default with DEBUG
# on, so that `make run`'s demo accounts sign in with the password alone.
OTP_REQUIRED = env_bool("OTP_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "稽核管理平台")

# Chinese first: the language comes from the user's explicit choice (cookie), never from
# the browser's Accept-Language, so a laptop with an English browser still shows Chinese.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "audit_portal.staticfiles.UsedAppFilesFinder",  # the apps' files, minus those never used
]
# Evidence files live under a private root that no URL serves; every download goes through
# a permission check (evidence.views). Files are stored under random keys through Django's
# storage API, so an S3-compatible backend can replace this one (EVIDENCE_STORAGE_BACKEND).
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", VAR_DIR / "evidence"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "evidence": {
        "BACKEND": os.environ.get(
            "EVIDENCE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": {"location": EVIDENCE_ROOT, "base_url": None},
    },
    # built exports (the ZIP of all reports, a large cycle's circular and score matrix)
    "bundles": {
        "BACKEND": os.environ.get("REPORT_BUNDLE_STORAGE_BACKEND", "reports.storage.BundleStorage")
    },
    # 稽核档案 packages (archives app), kept as long as their retention says
    "archives": {
        "BACKEND": os.environ.get("ARCHIVE_STORAGE_BACKEND", "archives.storage.ArchiveStorage")
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# An S3-compatible object store (MinIO, Ceph, a cloud's) for evidence and built exports,
# shared by several application servers: docs/operations.md, "Several application servers, files on an object store". Needs
# `pip install -r requirements-s3.txt` (django-storages with boto3).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    _s3 = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
        "access_key": os.environ.get("S3_ACCESS_KEY", ""),
        "secret_key": os.environ.get("S3_SECRET_KEY", ""),
        "region_name": os.environ.get("S3_REGION") or None,
        "default_acl": None,  # the bucket's own: private
        "querystring_auth": True,
        "file_overwrite": False,
    }
    for _name, _prefix in (
        ("evidence", "evidence"),
        ("bundles", "bundles"),
        ("archives", "archives"),
    ):
        STORAGES[_name] = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_s3, "location": _prefix},
        }

# Source maps are for a developer's browser tools, never fetched by a user's page: stored as
# they are, not also compressed twice.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (the ZIP of all reports) runs in `manage.py db_worker`; with
# TASKS_IMMEDIATE=1 (make run, the tests) it runs at once, in the request.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env_bool("TASKS_IMMEDIATE", DEBUG)
        else "django_tasks_db.DatabaseBackend"
    }
}

# Uploads stream to a temporary file beside the evidence store (so that storing is a
# rename, not a copy) and are measured and hashed while they arrive.
EVIDENCE_MAX_UPLOAD_BYTES = int(os.environ.get("EVIDENCE_MAX_UPLOAD_MB", "100")) * 1024 * 1024
# A ZIP, DOCX, XLSX or OFD with more entries is refused (checked without reading them all).
EVIDENCE_ZIP_MAX_ENTRIES = int(os.environ.get("EVIDENCE_ZIP_MAX_ENTRIES", "10000"))
FILE_UPLOAD_TEMP_DIR = Path(os.environ.get("FILE_UPLOAD_TEMP_DIR", EVIDENCE_ROOT / ".incoming"))
FILE_UPLOAD_HANDLERS = ["evidence.uploads.EvidenceUploadHandler"]
# Stored files and folders are readable by the owner and the owner's group, never by
# others: behind nginx the front server's user (www-data) joins the portal's group and so
# can send the files itself; the folders are setgid, so every file keeps that group.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o2750
# With nginx in front, set this to the internal location that maps to EVIDENCE_ROOT (for
# example /protected-evidence/): downloads are then checked by Django and sent by nginx.
# `manage.py check --deploy` then verifies that EVIDENCE_FRONT_SERVER_USER can read them.
EVIDENCE_X_ACCEL_REDIRECT_PREFIX = os.environ.get("EVIDENCE_X_ACCEL_REDIRECT_PREFIX", "")
EVIDENCE_FRONT_SERVER_USER = os.environ.get("EVIDENCE_FRONT_SERVER_USER", "www-data")

# The ZIP of all reports is a file in this private folder (never in the database or the
# backups), removed REPORT_BUNDLE_RETENTION_HOURS after it was built.
REPORT_BUNDLE_ROOT = Path(os.environ.get("REPORT_BUNDLE_ROOT", VAR_DIR / "bundles"))
# 稽核档案 packages, and the folder they are built in before they are stored
ARCHIVE_ROOT = Path(os.environ.get("ARCHIVE_ROOT", VAR_DIR / "archives"))
REPORT_BUNDLE_RETENTION_HOURS = int(os.environ.get("REPORT_BUNDLE_RETENTION_HOURS", "24"))
# Up to this many agencies in a cycle, scores.xlsx and the circular are built in the request
# as before; past it the task worker builds them into files there (issue 16).
EXPORT_INLINE_MAX_AGENCIES = int(os.environ.get("EXPORT_INLINE_MAX_AGENCIES", "300"))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
# Seconds to wait for the mail server before a reminder counts as not sent (the page then
# says which agencies were not reminded); without it a dead server would hang the request.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "audit-portal@localhost")
# The portal's address as people reach it, for links in e-mails.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# The office this portal serves; printed on pages and reports.
PORTAL_OFFICE_NAME = "中国职工保险互助会北京办事处"

# The key that signs each archive package's manifest (HMAC-SHA256, archives.digests): set it
# (and keep it as long as the archives) so that a package is checked with the same key on
# another machine; empty, one derived from SECRET_KEY is used.
ARCHIVE_KEY = os.environ.get("ARCHIVE_KEY", "")

# Agency codes are 3 to 6 digits (the office's own scheme). A code read as a number (Excel
# turns a typed 004 into 4) or typed short on a roster line is zero-padded to this width.
AGENCY_CODE_DIGITS = int(os.environ.get("AGENCY_CODE_DIGITS", "3"))
if not 3 <= AGENCY_CODE_DIGITS <= 6:
    raise ImproperlyConfigured("AGENCY_CODE_DIGITS must be 3 to 6: agency codes are 3 to 6 digits.")

# django-import-export: spreadsheets in, spreadsheets out; every import runs in one
# transaction so that a file with one bad row imports nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# One line per event on standard error (journald keeps it under systemd), each with the
# request's id (common.logs). LOG_ACCESS=0 leaves out the line per request.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "common.logs.RequestIdFilter"}},
    "formatters": {
        "line": {
            "()": "common.logs.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint and fontTools narrate every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # urllib3 names every request's address at DEBUG: a group robot's address holds its key.
        "urllib3": {"level": "WARNING"},
        "portal.access": {"level": "INFO" if env_bool("LOG_ACCESS", True) else "WARNING"},
        # Our access line replaces Django's own lines for 4xx answers.
        "django.request": {"level": "ERROR"},
    },
}

# Wrong one-time codes count towards the sign-in lockout like wrong passwords (django-axes);
# django-otp's own growing delay would refuse a right code typed just after a wrong one.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0


# The API for other systems (/api/v1/, api/): personal tokens only, JSON only, the calls
# of one token limited to API_RATE ("120/min": so many a minute; the count is per process).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
}
API_RATE = os.environ.get("API_RATE", "120/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "稽核管理平台 API",
    "DESCRIPTION": (
        "中国职工保险互助会北京办事处稽核管理平台的接口：年度、代办处稽核、稽核标准、资料、"
        "已出具的稽核报告和整改事项。每次调用须带个人 API 令牌（Authorization: Bearer …），"
        "以令牌所有人的权限执行，并记入安全日志。"
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "APPEND_COMPONENTS": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
    },
    "SECURITY": [{"token": []}],
    "AUTHENTICATION_WHITELIST": [],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.describe_errors",
    ],
}
