"""Settings, read once from the environment (12-factor; see ARCHITECTURE.md "Settings and processes")."""

import ipaddress
from pathlib import Path
from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
DEBUG = env.bool("DEBUG", default=False)
# Settings only read the environment; bin/run and bin/test find or start the servers and export their URLs.
_NOT_SET = (
    "{name} is not set: run through bash bin/run or bash bin/test, or export the variables printed by "
    "python -m wealthcrm.localservices start"
)


def _secrets() -> tuple[str, str]:
    """SECRET_KEY and FIELD_ENCRYPTION_KEY from the environment; weak or missing ones refuse production start-up.

    For development ``bin/run`` and ``bin/test`` export keys generated once by ``wealthcrm.localservices``.
    """
    secret_key = env.str("SECRET_KEY", default="")
    field_key = env.str("FIELD_ENCRYPTION_KEY", default="")
    if not DEBUG and (len(secret_key) < 50 or len(set(secret_key)) < 5 or secret_key.startswith("django-insecure")):
        raise ImproperlyConfigured(
            "SECRET_KEY is missing or weak: with DEBUG=0 set a random SECRET_KEY of at least 50 characters."
        )
    if not secret_key:
        raise ImproperlyConfigured(_NOT_SET.format(name="SECRET_KEY"))
    if not field_key:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY is missing: with DEBUG=0 set a Fernet key "
            "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
            if not DEBUG
            else _NOT_SET.format(name="FIELD_ENCRYPTION_KEY")
        )
    try:
        from cryptography.fernet import Fernet

        Fernet(field_key)
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be a Fernet key (urlsafe base64 of 32 bytes).") from exc
    return secret_key, field_key


SECRET_KEY, FIELD_ENCRYPTION_KEY = _secrets()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "wealthcrm",
    "wealthcrm.org",
    "wealthcrm.calendar",
    "wealthcrm.audit",
    "wealthcrm.notifications",
    "wealthcrm.exports",
    "wealthcrm.outbox",
    "clients",
    "tiers",
    "referrals",
    "performance",
    "performance.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wealthcrm.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wealthcrm.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wealthcrm.middleware.ContentSecurityPolicyMiddleware",
    "wealthcrm.middleware.BackgroundWorkUnavailableMiddleware",
]

ROOT_URLCONF = "wealthcrm.urls"
WSGI_APPLICATION = "wealthcrm.wsgi.application"

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
                "wealthcrm.context_processors.navigation_context",
                "wealthcrm.notifications.context_processors.unread",
            ],
        },
    },
]

# One dialect: PostgreSQL (ARCHITECTURE.md); bin/run starts the embedded server from PyPI when none is configured.
DATABASE_URL = env.str("DATABASE_URL", default="")
if not DATABASE_URL:
    raise ImproperlyConfigured(_NOT_SET.format(name="DATABASE_URL"))
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
# libpq URIs percent-encode a unix-socket directory as the host (the embedded server's form).
DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"])
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Lets several test runs share one server (e.g. parallel work on one machine) without clobbering each other.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if not REDIS_URL:
    raise ImproperlyConfigured(_NOT_SET.format(name="REDIS_URL"))

AUTH_USER_MODEL = "org.Staff"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["wealthcrm.org.auth.LockoutModelBackend"]
SIGN_IN_MAX_FAILURES = env.int("SIGN_IN_MAX_FAILURES", default=5)
SIGN_IN_LOCK_MINUTES = env.int("SIGN_IN_LOCK_MINUTES", default=15)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "wealthcrm" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="wealthcrm@localhost")

# Security: strict by default, relaxed only by DEBUG or explicit operator choice.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Security (API.md "Security"): idle sessions, API tokens, sign-in limits, CSP, health details.
# A session ends after 30 minutes without a request (wealthcrm.middleware.IdleSessionMiddleware renews it).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
API_TOKEN_IDLE_DAYS = env.int("API_TOKEN_IDLE_DAYS", default=30)
SIGN_IN_MAX_FAILURES_PER_ADDRESS = env.int("SIGN_IN_MAX_FAILURES_PER_ADDRESS", default=20)


def _networks(name: str) -> list:
    try:
        return [ipaddress.ip_network(entry, strict=False) for entry in env.list(name, default=[])]
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc} (addresses or networks, comma-separated)") from exc


# The reverse proxies (addresses or networks) whose X-Forwarded-For names the caller; none by default, so a
# forged header can never dodge the per-address limit of a server reached directly.
TRUSTED_PROXIES = _networks("TRUSTED_PROXIES")
# No inline script or style anywhere: every script and stylesheet is a vendored static file.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Operations' monitoring reads the details of /health/ with this token (header X-Health-Token); unset: staff only.
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")
# JSON bodies: deeper or larger ones are a 400 (wealthcrm.inputs.BoundedJSONParser).
API_MAX_JSON_DEPTH = 32
API_MAX_JSON_BYTES = 2 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "wealthcrm.org.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["wealthcrm.inputs.BoundedJSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_PAGINATION_CLASS": "wealthcrm.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {"user": "1200/min", "anon": "120/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "WealthCRM API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models share choice sets under the same field name ("channel"): name each set once.
    "ENUM_NAME_OVERRIDES": {
        "ContactChannelEnum": "clients.choices.ContactChannel",
        "AcquisitionChannelEnum": "clients.choices.AcquisitionChannel",
        "TierEnum": "wealthcrm.tiering.Tier",
        # Names the schema has published (API.md), kept when another app adds a field of the same name.
        "DirectionEnum": "tiers.choices.Direction",
        "ReferralStatusEnum": "referrals.choices.ReferralStatus",
        "ImportJobStatusEnum": "clients.choices.ImportStatus",
        "MonthlyReportStatusEnum": "wealthcrm.exports.choices.FileStatus",
        "LinkDirectionEnum": "referrals.choices.LinkDirection",
        "TierBasisEnum": "tiers.choices.TierBasis",
    },
}

# Filter drop-downs read "全部" (all), not Django's "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("全部")

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TRACK_STARTED = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Security / faults: a task whose worker was killed is redelivered after this many seconds (Redis' default is
# an hour). Longer than any task runs; the tasks are idempotent, so a redelivery converges. A starting worker
# restores such messages at once; a running one sweeps every 30 s (kombu's default sweep is every ~100 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
                                   "unacked_restore_interval": 30, "unacked_restore_throttle": 1}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1}}

# Imports (issue 19): bounds that hold whatever a file contains. Rows beyond the limit or an XLSX whose parts
# would expand past the limits refuse the whole file before anything is applied; an over-long cell is a row
# error. Excel's own sheet limit is 1,048,576 rows; shared strings are held in memory by the XLSX reader.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=1_048_576)
IMPORT_MAX_CELL_CHARS = 1000
IMPORT_CHUNK_ROWS = 5000  # rows applied (and the resume cursor moved) per transaction
TABULAR_MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
TABULAR_MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
# A running import whose worker has not reported for this long (and holds no lock) is resumed by the check.
IMPORT_STALE_SECONDS = 120
IMPORT_MAX_ATTEMPTS = 3

CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL.replace("redis+socket://", "unix://")}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
