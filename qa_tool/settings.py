"""Settings for the QA tool, read from environment variables (see README, "Configuration")."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from qa_tool.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_pair,
    env_str,
    env_url,
    local_site_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("QA_DATA_DIR", str(BASE_DIR / "data")))

DEBUG = env_bool("DJANGO_DEBUG", False)
_DEV_SECRET = "dev-only-secret-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "formtools",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "qa_tool",
    "qa_tool.institutions.apps.InstitutionsConfig",
    "qa_tool.assessments.apps.AssessmentsConfig",
    "qa_tool.benchmarks.apps.BenchmarksConfig",
    "qa_tool.actions.apps.ActionsConfig",
    "qa_tool.panels.apps.PanelsConfig",
    "qa_tool.demo.apps.DemoConfig",
    "qa_tool.backups.apps.BackupsConfig",
    "qa_tool.accounts.apps.AccountsConfig",
    "qa_tool.units.apps.UnitsConfig",
    "rubrics.apps.RubricsConfig",
    "reports.apps.ReportsConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # WhiteNoise answers static files itself, already compressed (gzip and Brotli), so they
    # never reach GZipMiddleware.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses the HTML for slow, metered phone connections: before anything that reads or
    # changes the content. It pads the compressed length at random (Django 4.2+), which
    # mitigates BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After LocaleMiddleware and authentication: a signed-in person's own language.
    "qa_tool.accounts.middleware.PersonLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qa_tool.accounts.middleware.RequestSizeLimitMiddleware",
    "qa_tool.accounts.middleware.SessionActivityMiddleware",
    "qa_tool.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "qa_tool.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a lock-out flagged during log-in into the page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qa_tool.urls"
WSGI_APPLICATION = "qa_tool.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

if not env_str("DATABASE_URL"):
    # The embedded SQLite database lives in the data folder; a fresh checkout has none yet.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'qa_tool.sqlite3'}"),
        # A connection per request costs PostgreSQL a process and TLS set-up each time
        # (measured: light pages 5.5x slower at 0); health checks drop a connection the
        # server closed instead of failing the next request with it.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a web server's database: writers take the lock when their transaction
    # begins and wait for each other (instead of "database is locked" mid-transaction),
    # and readers never block the writer (WAL). Measured: 17 of 20 concurrent saves of one
    # step failed with HTTP 500 before; now each gets 200 or the conflict page (409).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("QA_SQLITE_TIMEOUT", 20, minimum=1),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "institutions.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The lock-out backend goes first so a locked-out person is refused before the password
# is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("ar", _("Arabic")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Evidence and other uploads live outside any public URL; views serve them after a rights check.
MEDIA_ROOT = Path(env_str("QA_PRIVATE_MEDIA_ROOT", str(DATA_DIR / "private")))

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "qa-tool@localhost")

SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS: off by default so `make run` works over plain HTTP; the README's production
# settings turn them on.
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
# e.g. "HTTP_X_FORWARDED_PROTO,https" behind a proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = env_pair("DJANGO_SECURE_PROXY_SSL_HEADER")
# Proxies in front of the site that append to X-Forwarded-For; 0 trusts REMOTE_ADDR only,
# so a client cannot pick the address its failed log-ins are counted against.
QA_TRUSTED_PROXY_COUNT = env_int("QA_TRUSTED_PROXY_COUNT", 0, minimum=0)

# Sessions end after this long whatever the activity (seconds), and after
# QA_SESSION_IDLE_MINUTES without a request.
SESSION_COOKIE_AGE = env_int("QA_SESSION_MAX_AGE_SECONDS", 12 * 60 * 60, minimum=60)
QA_SESSION_IDLE_MINUTES = env_int("QA_SESSION_IDLE_MINUTES", 240, minimum=1)
# Days an invitation link stays valid.
QA_INVITATION_DAYS = env_int("QA_INVITATION_DAYS", 7, minimum=1)

# Log-in throttling (django-axes): after QA_LOGIN_FAILURE_LIMIT wrong passwords the
# account is locked for QA_LOGIN_COOLOFF_MINUTES, even for the right password.
AXES_FAILURE_LIMIT = env_int("QA_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("QA_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
# "username-ip" locks a user name only from the address that failed; "username" locks it
# from everywhere, which stops spread-out guessing but lets anyone lock a known name.
AXES_LOCKOUT_PARAMETERS = {
    "username-ip": [["username", "ip_address"]],
    "username": ["username"],
}[env_choice("QA_LOGIN_LOCKOUT_BY", "username-ip", ("username-ip", "username"))]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "qa_tool.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "qa_tool.accounts.net.client_ip"
AXES_VERBOSE = False

# Two-factor authentication: the issuer names the site in authenticator apps.
OTP_TOTP_ISSUER = env_str("QA_OTP_ISSUER", "OBTL QA")
# Reviewers and administrators must set up two-factor before doing anything else.
QA_REQUIRE_2FA_STAFF = env_bool("QA_REQUIRE_2FA_STAFF", False)

# The public address of the site, for links in e-mails; without it, the address `make run`
# serves on (its HOST and PORT), so a local run on another port still gets working links.
SITE_URL = env_url("QA_SITE_URL", local_site_url())
# Largest evidence file an officer may upload.
EVIDENCE_MAX_BYTES = env_int("QA_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# Benchmarks show an aggregate only when the peer group holds at least this many
# institutions besides the viewer's own.
BENCHMARK_MIN_GROUP = env_int("QA_BENCHMARK_MIN_GROUP", 5, minimum=2)
# Size of the "most similar institutions" peer group (never below the minimum above).
BENCHMARK_SIMILAR_K = env_int("QA_BENCHMARK_SIMILAR_K", 8, minimum=2)
# Largest offline fill-in workbook accepted for upload.
WORKBOOK_MAX_BYTES = env_int("QA_WORKBOOK_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
# Largest rubric file accepted by the staff upload page.
RUBRIC_UPLOAD_MAX_BYTES = env_int("QA_RUBRIC_UPLOAD_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
# Largest request body: the largest single upload plus room for the form around it. A
# bigger request is refused (413) from its Content-Length, before anything is read.
QA_MAX_REQUEST_BYTES = env_int(
    "QA_MAX_REQUEST_BYTES",
    max(EVIDENCE_MAX_BYTES, WORKBOOK_MAX_BYTES, RUBRIC_UPLOAD_MAX_BYTES) + 1024 * 1024,
    minimum=64 * 1024,
)
# Background work: tasks are rows in the database, run by `manage.py db_worker` (one or
# more processes beside the web server). The API is Django 6's tasks framework: another
# backend (Redis, Django 6's own) is a change of this setting only.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Hours a background export stays downloadable by the person who asked for it.
QA_EXPORT_TTL_HOURS = env_int("QA_EXPORT_TTL_HOURS", 24, minimum=1)
# Seconds one PDF report may take to render in the background before it is given up.
QA_PDF_TIME_LIMIT = env_int("QA_PDF_TIME_LIMIT", 120, minimum=5)
# A PDF report of a rubric with more criteria than this is rendered in the background
# (about 3 s for 47 criteria here): the page shows its progress instead of waiting.
QA_INLINE_PDF_MAX_CRITERIA = env_int("QA_INLINE_PDF_MAX_CRITERIA", 80, minimum=1)
# Form fields without files; uploads above the second figure spill to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "qa_tool.accounts.uploads.RequestSizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint reports every layout step at INFO level.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
