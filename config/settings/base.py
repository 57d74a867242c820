"""Every setting comes from the environment, here and only here.

With no environment at all you get the embedded default: a SQLite file and Celery tasks run
in-process. DEBUG is off unless DJANGO_DEBUG=true (as `make run` sets it), so a production
that forgets the variable is not in debug mode, and serving or a worker without SECRET_KEY
fails fast (`config.secret_key`).
Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and ALLOWED_HOSTS.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY_GIVEN = bool(env("SECRET_KEY", default=""))
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="insecure-embedded-default-do-not-use-in-production")
else:
    # Without the variable, a command that signs nothing a user keeps (makemigrations, check,
    # compilemessages) runs with a key that dies with it; serving and the worker refuse to start
    # (config/wsgi.py, config/celery.py), so no session or token is ever signed with it.
    SECRET_KEY = env("SECRET_KEY", default="") or secrets.token_urlsafe(50)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "taxonomy",
    "organisations",
    "referrals",
    "freshness",
    "cases",
    "attempts",
    "complaints",
    "orientations",
    "mandates",
    "workload",
    "evidence",
    "dossiers",
    "api",
    "reliability",
    "audit",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "accounts",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that every answer gets the header, the 503 of the next one included.
    "csp.middleware.CSPMiddleware",
    "reliability.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "api.middleware.MethodNotAllowedFirstMiddleware",
    "api.middleware.RequestBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "cases.middleware.PersonReadAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its refusal page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.navigation.navigation",
            ],
            # One number style for every page and PDF (rendering/numbers.py).
            "libraries": {"numbers": "rendering.templatetags.numbers"},
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite in WAL mode with IMMEDIATE transactions, so that the web process and the in-process
# tasks queue for the write lock instead of failing with "database is locked".
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    # A persistent connection broken by a database restart is replaced at the next request
    # instead of failing it.
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisations.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"

# --- Accounts: login throttling, sessions, two-factor ---------------------------------------
# django-axes counts failed logins per e-mail and client address and refuses that pair for a
# while after too many; the throttle backend goes first.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.backends.login_username"
AXES_RESET_ON_SUCCESS = True
# Locks are listed and lifted with `manage.py axes_list_attempts` / `axes_reset`.
AXES_ENABLE_ADMIN = False
AXES_IPWARE_PROXY_COUNT = 1 if env.bool("AUDIT_TRUST_X_FORWARDED_FOR", default=False) else 0
# A working day, and never beyond closing the browser (shared computers in offices).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
OTP_TOTP_ISSUER = "Aide numérique"
# The role decides where a login lands (accounts.views.home).
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "/login/"

# --- Content-Security-Policy (django-csp) ----------------------------------------------------
# Pages load nothing from elsewhere: scripts and styles come from the app's static files, or
# are inline with the request's nonce (`nonce="{{ request.csp_nonce }}"`); no inline event
# handler, no eval, no plugin, no framing, forms post to the app only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for the favicon placeholder and the icons inside the API docs' stylesheet.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Languages: French first, then Dutch and English ----------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
if not DEBUG:
    # In production the app serves its own collected static files (no CDN, no extra server);
    # in development runserver and the test live server serve them from the apps.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
# Files the app writes (export downloads); served only through views that check the caller.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies are measured before they are parsed (api/parsers.py; their size is checked
    # before, by api.middleware.RequestBodyLimitMiddleware).
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        # Only views with a `throttle_scope` (the token view: password guessing) are affected.
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    # `format=` selects a file export (csv, xlsx, pdf) in our views, not a DRF renderer.
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", default="2000/hour"),
        "token": env("API_THROTTLE_TOKEN", default="20/minute"),
    },
}
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=10)),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Aide numérique API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request and response bodies differ (ids are read-only, defaults apply on input).
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc are served from the app's own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Like every call but the token's, the schema and its pages need a token or a session.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Both kinds of body (referrer and responsible) take the codes of `referrer_types`.
    # An entry's channel and an attempt's are two lists under one field name: name each.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "cases.models.KIND_CODES",
        "ChannelEnum": "cases.models.CHANNEL_CODES",
        "AttemptChannelEnum": "attempts.models.ATTEMPT_CHANNEL_CODES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}

# --- Celery ---------------------------------------------------------------------------------
# No broker configured: tasks run in-process (eagerly), after the transaction commits; the
# tests use that. `make run` sets CELERY_BROKER_URL=filesystem:// and starts a real worker
# beside the server, on kombu's filesystem transport (messages are files under var/broker),
# so that long work runs in the background on a laptop as it does in production on Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
BROKER_FOLDER = Path(env("BROKER_FOLDER", default=str(BASE_DIR / "var" / "broker")))
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
# A save must never wait on a dead broker for long: the dirty-month table is the outbox.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message taken by a worker that died is delivered again after this many seconds.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Look for such messages every ten seconds (or sooner when the timeout is shorter):
    # kombu's default throttle only scans on every tenth tick, i.e. every 100 s.
    "unacked_restore_interval": min(10, CELERY_VISIBILITY_TIMEOUT),
    "unacked_restore_throttle": 1,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("queue", "processed"):
        (BROKER_FOLDER / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # One folder both ways: the server writes messages in, the worker takes them out.
        "data_folder_in": str(BROKER_FOLDER / "queue"),
        "data_folder_out": str(BROKER_FOLDER / "queue"),
        "processed_folder": str(BROKER_FOLDER / "processed"),
        "store_processed": False,
    }
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}

# Audit trail: behind our own reverse proxy, the client address is the last X-Forwarded-For
# entry; never trust the header when clients reach the app directly.
AUDIT_TRUST_X_FORWARDED_FOR = env.bool("AUDIT_TRUST_X_FORWARDED_FOR", default=False)

# Poison-message guard (reliability app): a task started this many times for the same
# arguments within a day without finishing is abandoned and logged.
TASK_MAX_DELIVERIES = env.int("TASK_MAX_DELIVERIES", default=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# --- Production hardening, active whenever DEBUG is off ------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# E-mail (orientations to other services): printed on the console unless an SMTP server is
# given. SITE_URL is the address the links in e-mails sent by beat jobs start with.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST", default="")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@localhost")
SITE_URL = env("SITE_URL", default="http://localhost:8000")

# Files of finished exports are deleted after this many days (the job record stays).
EXPORT_FILES_KEEP_DAYS = env.int("EXPORT_FILES_KEEP_DAYS", default=7)

# Beat: sweep the dirty-month outbox every minute, recompute everything nightly. Schedules in
# UTC (crontabs misfire around daylight-saving switches in local time); run exactly one beat.
CELERY_BEAT_SCHEDULE = {
    "sweep-dirty-months": {"task": "workload.sweep_dirty_months", "schedule": 60.0},
    "expire-entry-undos": {"task": "cases.expire_entry_undos", "schedule": 300.0},
    "recompute-everything-nightly": {
        "task": "workload.recompute_everything",
        "schedule": crontab(minute=30, hour=1),
    },
    "expire-export-files-nightly": {
        "task": "workload.expire_exports",
        "schedule": crontab(minute=45, hour=2),
    },
    "expire-import-files-nightly": {
        "task": "workload.expire_imports",
        "schedule": crontab(minute=50, hour=2),
    },
    # Retention (docs/security.md): persons without entries for too long are erased nightly
    # (cases.tasks; the task keeps the name it had in the audit app).
    # Orientations (orientations.tasks): the receiving service is reminded once after three
    # days, the link closes after eight; both idempotent, so running them often is harmless.
    "remind-unanswered-orientations": {
        "task": "orientations.send_reminders",
        "schedule": 900.0,
    },
    "expire-unanswered-orientations": {
        "task": "orientations.expire_unanswered",
        "schedule": 900.0,
    },
    "erase-expired-persons": {
        "task": "audit.erase_expired_persons",
        "schedule": crontab(minute=15, hour=2),
    },
    # Mandates whose term is over are recorded as expired in the audit trail, once.
    "expire-mandates-nightly": {
        "task": "mandates.expire_mandates",
        "schedule": crontab(minute=5, hour=0),
    },
}
