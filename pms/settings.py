"""Settings read from the environment; every default runs the product locally.

Defaults: SQLite in ``var/``, Celery tasks executed in-process (eager), a
generated encryption key in ``var/encryption.key``. Production sets
DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, PMS_ENCRYPTION_KEYS, DEBUG=false.
"""

import datetime as dt
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from pms.private_files import private_dir, private_sqlite

BASE_DIR = Path(__file__).resolve().parent.parent
# The embedded database and the key file live here: owner only (0700), and an
# older, wider var/ is narrowed (pms/private_files.py).
VAR_DIR = private_dir(
    Path(environ.Env().str("PMS_VAR_DIR", default=str(BASE_DIR / "var")))
)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-local-only-do-not-use-in-production-6e1b0c1f9d",
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# This PMS's own address, shown to admins to e-mail to EMIS support.
PMS_PUBLIC_URL = env.str("PMS_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: its runserver reads chunked request bodies.
    "pms.devserver",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "pms",
    "legal_entities",
    "reservations",
    "integrations",
    "emis",
    "personal_data",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pms.middleware.AllowedMethodsMiddleware",
    # Serves collected static files itself, so the product needs no CDN and
    # no separate file server on a hotel network.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files keep their caching and need no policy.
    "pms.middleware.ContentSecurityPolicyMiddleware",
    "pms.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pms.middleware.PmsLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "pms.middleware.ApiDebugErrorsMiddleware",  # JSON under /api/ with DEBUG on
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pms.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pms.middleware.LoginRequiredEverywhereMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pms.urls"
WSGI_APPLICATION = "pms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "pms.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'pms.sqlite3'}"
    )
}
# Persistent connections: a new PostgreSQL connection per request halved the
# webhook throughput (docs/benchmarks.md). CONN_MAX_AGE=0 closes each one.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# With persistent connections (CONN_MAX_AGE > 0, the default), a
# connection dropped by PostgreSQL is replaced instead of failing a request.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the in-process worker and web requests share
    # the file. IMMEDIATE: every transaction takes the write lock when it
    # begins, so it waits (up to the busy timeout) for another writer instead
    # of failing with "database is locked" when a read turns into a write —
    # the deferred default answered 24 of 30 staff saves racing webhooks 500.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env.int("PMS_SQLITE_BUSY_TIMEOUT", default=20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )
    if Path(DATABASES["default"]["NAME"]).is_relative_to(VAR_DIR):
        # Passport data: the file (and so its -wal/-shm) 0600 before SQLite
        # creates it with the umask's mode.
        private_sqlite(Path(DATABASES["default"]["NAME"]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ASVS 2.1.1/2.1.7/2.1.9: at least 12 characters, no common password, no
# composition rules (length beats complexity). Applies to every password set
# through Django's forms and `changepassword`; the demo users keep theirs.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Brute-force protection (django-axes) -------------------------------------
# AXES_FAILURE_LIMIT failed logins for a username, or from an address, within
# the cool-off lock that username or address out of /accounts/login/, the
# admin and the API token endpoint, right password or not, until the cool-off
# passes or support deletes the attempts (Django admin: Access attempts, or
# `manage.py axes_reset_username <name>`).
AUTHENTICATION_BACKENDS = [
    "pms.lockout.LockoutBackend",  # first: refuses before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_LOCKOUT_CALLABLE = "pms.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "pms.lockout.client_ip"
# Behind the hotel's reverse proxy the client's address is the one the proxy
# appended to X-Forwarded-For; otherwise REMOTE_ADDR.
PMS_BEHIND_PROXY = env.bool("PMS_BEHIND_PROXY", default=False)
# API tokens live one working shift; the token endpoint then issues a new one.
PMS_API_TOKEN_TTL_HOURS = env.int("PMS_API_TOKEN_TTL_HOURS", default=12)

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "pms" / "locale"]
USE_I18N = True
# Forms: the plain inputs rendered in Python (pms/form_renderer.py: speed).
FORM_RENDERER = "pms.form_renderer.FormRenderer"
# How dates are typed per language (дд.мм.гггг in Russian): pms/formats/.
FORMAT_MODULE_PATH = ["pms.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
if Path(STATIC_ROOT).is_relative_to(VAR_DIR):
    private_dir(Path(STATIC_ROOT))  # served by WhiteNoise, in this process
else:
    Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
# Serve straight from the apps' static folders too, so `runserver`, tests and
# a fresh checkout work before (or without) collectstatic.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
    },
}

# --- Security: safe by default, strict when DEBUG is off -------------------
SESSION_COOKIE_HTTPONLY = True
# No script reads the CSRF cookie: htmx sends the token in a header that the
# base template sets once (hx-headers), and forms carry it in a field.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
_https = env.bool("PMS_HTTPS", default=not DEBUG and PMS_PUBLIC_URL.startswith("https"))
SESSION_COOKIE_SECURE = _https
# ASVS 3.4.4: over HTTPS the session cookie carries the __Host- prefix, so no
# subdomain or plain-HTTP page can set or shadow it; so does the CSRF cookie.
SESSION_COOKIE_NAME = "__Host-sessionid" if _https else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if _https else "csrftoken"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_https)
# The container health check asks gunicorn over plain HTTP (docker-compose.yml):
# a redirect to https there would leave `web` unhealthy forever.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("PMS_BEHIND_PROXY", default=False) else None
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The EMIS webhook carries up to 1 MiB of JSON; the view enforces the limit
# itself so it can answer 413 as the contract says.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024 + 1024

# --- Content-Security-Policy (django-csp) --------------------------------------
# No inline script or style anywhere: every script and stylesheet is a static
# file (Swagger UI's start-up script too, see pms/urls.py). On logged-in pages
# pms.middleware adds the configured EMIS origin to form-action: the upload
# form's redirect goes there.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Session lifetime ---------------------------------------------------------------
# Absolute: one shift from login, however active (pms.middleware checks it).
SESSION_COOKIE_AGE = env.int("PMS_SESSION_MAX_HOURS", default=12) * 3600
# Idle: logged out after this long without a request.
PMS_SESSION_IDLE_MINUTES = env.int("PMS_SESSION_IDLE_MINUTES", default=30)

# --- Secrets at rest ---------------------------------------------------------
# Comma-separated Fernet keys; the first encrypts, all decrypt. Unset: a key is
# generated once into var/encryption.key (see integrations/secrets.py).
PMS_ENCRYPTION_KEYS = env.list("PMS_ENCRYPTION_KEYS", default=[])
PMS_ENCRYPTION_KEY_FILE = VAR_DIR / "encryption.key"
# Error pages (DEBUG on) and error reports never show a secret: marked and
# secret-looking variables hidden whatever DEBUG says, our setting names too.
DEFAULT_EXCEPTION_REPORTER_FILTER = "pms.error_reporting.SafeExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "pms.error_reporting.SafeExceptionReporter"

# --- REST API (pms/settings_api.py) -----------------------------------------
from pms.settings_api import REST_FRAMEWORK, SPECTACULAR_SETTINGS  # noqa: E402, F401

# --- Celery ---------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# No broker configured: run tasks in-process, errors propagated, so the
# embedded defaults need no Redis.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# --- EMIS Service (docs/emis.md, "Settings") --------------------------------------
# Background sync of the EMIS changes feed (seconds between runs).
EMIS_SYNC_INTERVAL = env.int("EMIS_SYNC_INTERVAL", default=300)
# Every call to EMIS: timeouts (seconds), attempts and the waits between them.
EMIS_CONNECT_TIMEOUT = env.float("EMIS_CONNECT_TIMEOUT", default=3.05)
EMIS_READ_TIMEOUT = env.float("EMIS_READ_TIMEOUT", default=10.0)
EMIS_MAX_ATTEMPTS = env.int("EMIS_MAX_ATTEMPTS", default=3)
EMIS_RETRY_BACKOFF = tuple(
    env.list("EMIS_RETRY_BACKOFF", cast=float, default=[0.2, 0.4])
)
# The longest Retry-After (429) slept in-process; a longer one goes to Celery.
EMIS_RETRY_AFTER_CAP = env.float("EMIS_RETRY_AFTER_CAP", default=5.0)
# The longest a web request may wait on EMIS (seconds): a call made while
# serving one (a pull attempt without a broker, the upload link, the
# connection test) makes only as many attempts as fit, every attempt timing
# out on connect and read and the longest wait between them counted
# (emis/client_plan.py). Without a broker a pull's retries are not slept in
# the request: they are scheduled in the job row (emis/pull_schedule.py).
EMIS_REQUEST_BUDGET = env.float("EMIS_REQUEST_BUDGET", default=15.0)
# A re-apply job older than this (seconds; its worker lost) no longer blocks.
EMIS_REAPPLY_STALE_AFTER = env.int("EMIS_REAPPLY_STALE_AFTER", default=3600)
# Days the webhook delivery log keeps a row (pruned daily by
# emis.tasks.prune_delivery_log); 0 keeps every row.
EMIS_DELIVERY_LOG_DAYS = env.int("EMIS_DELIVERY_LOG_DAYS", default=90)
# Webhook requests refused without a valid signature (401, 413, 403 while the
# integration is off) from one address in one minute before the rest of the
# minute is answered 429 and not logged (emis/deliveries/throttle.py). EMIS
# signs every delivery: this limits only forgeries and a wrong password.
EMIS_WEBHOOK_REFUSALS_PER_MINUTE = env.int("EMIS_WEBHOOK_REFUSALS_PER_MINUTE", default=20)

# --- Migration notices' deadlines (reservations/deadlines.py) --------------------
# The Government's yearly decree moving days off, for a year the `holidays`
# library does not know yet or to correct a day: "work:2027-01-09" is a
# working Saturday, "off:2027-05-10" an extra day off (comma-separated).
PMS_WORKDAY_SWAPS = env.list("PMS_WORKDAY_SWAPS", default=[])
# Working days after arrival the arrival notice is due by the end of.
PMS_ARRIVAL_NOTICE_WORKING_DAYS = env.int("PMS_ARRIVAL_NOTICE_WORKING_DAYS", default=1)
# The departure notice is due at this time of the day after departure.
PMS_DEPARTURE_NOTICE_TIME = env.str("PMS_DEPARTURE_NOTICE_TIME", default="12:00")
# Citizenships that need no migration notice (everyone else does, stateless
# persons included).
PMS_NOTICE_EXEMPT_CITIZENSHIPS = env.list(
    "PMS_NOTICE_EXEMPT_CITIZENSHIPS", default=["RUS"]
)

# --- Cache -----------------------------------------------------------------------
# Nothing depends on a cache for correctness: locks, cursors and delivery
# records live in the database. A shared Redis cache can be set for speed;
# never a per-process memory cache.
CACHE_URL = env.str("CACHE_URL", default="")
CACHES = {
    "default": (
        env.cache_url_config(CACHE_URL)
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    )
}

# --- Logging: structured enough to grep, never a secret or a full number ------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_pii": {"()": "pms.logging.MaskDocumentNumbersFilter"},
        "strip_query": {"()": "pms.logging.StripQueryStringFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {  # Django's own, as in DEFAULT_LOGGING
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_pii"],
        },
        # runserver's access log: the guest search sends surnames as ?q=, so
        # request lines lose their query string (gunicorn: pms/gunicorn_conf.py).
        # No mask_pii: it would take "200 1234" (status, size) for a passport.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["strip_query"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
        },
    },
}
