"""Settings for every environment, read from environment variables (12-factor).

With nothing set, the platform runs on embedded defaults: SQLite and a Celery broker
on the file system, so that `make run` needs nothing but Python. `DATABASE_URL` and
`REDIS_URL` switch to PostgreSQL and Redis. Production hardening lives in
`brokerage.settings.production`.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from brokerage.settings.services import broker_settings, cache_settings, database_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
# Everything the platform writes at run time: SQLite, the local broker, drawings, static.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    # Only local runs get here: production settings refuse to start without one.
    SECRET_KEY = "local-only-insecure-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "axes",
    "core",
    "members",
    "capabilities",
    "orders",
    "brokerage",
    # The demo networks and the year replay, for development; production settings remove it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Innermost but one: sees the view's database errors before anything else does.
    "brokerage.outages.DatabaseOutageMiddleware",
    # Last, as its documentation asks: turns a lockout flagged during login into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "brokerage.urls"
WSGI_APPLICATION = "brokerage.wsgi.application"
ASGI_APPLICATION = "brokerage.asgi.application"

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
            ],
        },
    },
]

try:
    DATABASES = {"default": database_settings(env.str("DATABASE_URL", default=""), VAR_DIR)}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL: {error}") from None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite ignores the covering column of the matching index; the index still works.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "members.User"
# Axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "pages:role-home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A visitor's choice of language outlives the browser session (Django's default does not);
# a logged-in person's is also kept on their profile (brokerage/pages/language.py).
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
# Stored in UTC, shown in the network's zone; Asia/Tokyo is every demo network's zone.
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Tokyo")

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
STATICFILES_DIRS = [BASE_DIR / "static"]
# Drawings are confidential: they live outside any served directory and are only
# streamed through views that check permissions.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
MAX_DRAWING_BYTES = env.int("MAX_DRAWING_MB", default=50) * 1024 * 1024
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": "/private/"},
    },
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

REDIS_URL = env.str("REDIS_URL", default="")
try:
    _broker = broker_settings(REDIS_URL, VAR_DIR)
except ValueError as error:
    raise ImproperlyConfigured(f"REDIS_URL: {error}") from None
# Rate-limit counters must be shared by every web process, or each would allow the full
# rate: Redis when there is one, else files under var/ (shared by the local processes).
CACHES = {"default": cache_settings(REDIS_URL, VAR_DIR)}
CELERY_BROKER_URL = _broker["url"]
CELERY_BROKER_TRANSPORT_OPTIONS = _broker["transport_options"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# When the broker connection drops, a task in hand finishes (every task is idempotent), and
# its message, left unacknowledged, comes back after the visibility timeout and does nothing
# more; terminating it would leave its work waiting that long (or for its sweeper).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_SECONDS = env.float("HEARTBEAT_SECONDS", default=30.0)
# /readyz fails when no worker has run a heartbeat for this long: three missed beats.
WORKER_STALE_SECONDS = env.float("WORKER_STALE_SECONDS", default=3 * HEARTBEAT_SECONDS)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "brokerage.heartbeat",
        "schedule": HEARTBEAT_SECONDS,
        "kwargs": {"name": "worker"},
    },
    "sweep-submitted-requests": {
        "task": "brokerage.sweep_submitted_requests",
        "schedule": env.float("ROUTING_SWEEP_SECONDS", default=5.0),
    },
    "sweep-deadlines": {
        "task": "brokerage.sweep_deadlines",
        "schedule": env.float("DEADLINE_SWEEP_SECONDS", default=5.0),
    },
    # An estimate is valid to the end of a day: a sweep every few minutes is soon enough.
    "expire-estimates": {
        "task": "brokerage.expire_estimates",
        "schedule": env.float("ESTIMATE_EXPIRY_SWEEP_SECONDS", default=300.0),
    },
    "sweep-notifications": {
        "task": "members.sweep_notifications",
        "schedule": env.float("NOTIFICATION_SWEEP_SECONDS", default=15.0),
    },
    "settle-payment-attempts": {
        "task": "orders.settle_payment_attempts",
        "schedule": env.float("PAYMENT_SETTLE_SECONDS", default=60.0),
    },
    "sweep-drawing-previews": {
        "task": "orders.sweep_drawing_previews",
        "schedule": env.float("PREVIEW_SWEEP_SECONDS", default=60.0),
    },
}

# A failed e-mail, SMS or webhook is tried again after this many seconds, doubling each
# time (30 s, 1 min, 2 min …), eight times in all.
NOTIFICATION_RETRY_SECONDS = env.float("NOTIFICATION_RETRY_SECONDS", default=30.0)

# Where links in e-mails, SMS and webhooks point.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# A mail server that does not answer fails the attempt (retried later) instead of holding
# the worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@sme-networks.example")
# SMS to cell phones goes through a pluggable backend (members.sms); the default logs.
# members.sms.TwilioSmsBackend or members.sms.HttpGatewaySmsBackend send for real.
SMS_BACKEND = env.str("SMS_BACKEND", default="members.sms.LogSmsBackend")
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=10.0)
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
# The sending number (E.164) or a Messaging Service SID (MG…).
TWILIO_FROM = env.str("TWILIO_FROM", default="")
# Empty: Twilio's own https://api.twilio.com.
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")
# An HTTP gateway: where to POST, the key and where it goes (a header, or a field when
# SMS_API_KEY_HEADER is empty), the body's format and field names.
SMS_API_URL = env.str("SMS_API_URL", default="")
SMS_API_KEY = env.str("SMS_API_KEY", default="")
SMS_API_KEY_HEADER = env.str("SMS_API_KEY_HEADER", default="X-API-Key")
SMS_API_KEY_FIELD = env.str("SMS_API_KEY_FIELD", default="api_key")
SMS_API_FORMAT = env.str("SMS_API_FORMAT", default="json")  # json or form
SMS_API_TO_FIELD = env.str("SMS_API_TO_FIELD", default="to")
SMS_API_TEXT_FIELD = env.str("SMS_API_TEXT_FIELD", default="text")
SMS_API_SENDER = env.str("SMS_API_SENDER", default="")
SMS_API_SENDER_FIELD = env.str("SMS_API_SENDER_FIELD", default="from")
# e164 (+819012345678) or national (09012345678), as the gateway expects numbers.
SMS_API_NUMBER_FORMAT = env.str("SMS_API_NUMBER_FORMAT", default="e164")

# Card payments go through this provider; bank transfers are recorded by the office.
PAYMENT_CARD_PROVIDER = env.str(
    "PAYMENT_CARD_PROVIDER", default="orders.payment_providers.UnconfiguredCardProvider"
)
PAYMENT_CARD_API_URL = env.str("PAYMENT_CARD_API_URL", default="")
PAYMENT_CARD_API_KEY = env.str("PAYMENT_CARD_API_KEY", default="")
# The secret the card provider signs its webhooks with; without it every webhook is refused.
PAYMENT_WEBHOOK_SECRET = env.str("PAYMENT_WEBHOOK_SECRET", default="")

PHONENUMBER_DEFAULT_REGION = "JP"

# After a firm's bank account changes, its payouts wait this long: a hijacked account
# cannot be paid before the firm's people, all notified, have had time to object.
BANK_ACCOUNT_CHANGE_HOLD_HOURS = env.int("BANK_ACCOUNT_CHANGE_HOLD_HOURS", default=72)
# How long after rating an order the customer may still change the rating.
ORDER_RATING_CHANGE_DAYS = env.int("ORDER_RATING_CHANGE_DAYS", default=30)

# --- Abuse: rate limits and lockout -------------------------------------------------------
# How many reverse proxies stand in front of the app and append to X-Forwarded-For; the
# address they report is the one rate limits and lockouts count. 0: none (REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Whether clients reach the app through a reverse proxy (see brokerage.proxies: then
# TRUSTED_PROXY_COUNT must be at least 1). Production assumes one unless told otherwise.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
# Read at each request by brokerage.throttles (rate: "<count>/<second|minute|hour|day>").
THROTTLE_RATES = {
    # Requests submitted, per customer (or per address for a visitor signing up).
    "submission": env.str("THROTTLE_SUBMISSION_RATE", default="60/hour"),
    # Passwords tried on the login page and the admin's, per address.
    "login": env.str("THROTTLE_LOGIN_RATE", default="20/minute"),
    # Passwords exchanged for API tokens, per address.
    "token": env.str("THROTTLE_TOKEN_RATE", default="20/minute"),
    # Capability suggestions read from a text, per person (or per address for a visitor).
    "suggestion": env.str("THROTTLE_SUGGESTION_RATE", default="60/minute"),
}
# How long a network's learned capability suggestions are kept before learning them again.
CAPABILITY_SUGGESTION_HISTORY_SECONDS = env.int(
    "CAPABILITY_SUGGESTION_HISTORY_SECONDS", default=3600
)
# After this many failed logins for one username from one address, that pair is locked
# out for the cool-off; a successful login resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# Username and address together: a stranger cannot lock an office out of its own account
# by guessing from elsewhere; the login throttle limits guessing across usernames.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "brokerage.throttles.client_address"
AXES_LOCKOUT_CALLABLE = "brokerage.throttles.lockout_response"
# Never log the passwords tried, only that they failed.
AXES_SENSITIVE_PARAMETERS = ["password"]

# --- Browser security -----------------------------------------------------------------
# Every script and style is a file from this site: nothing inline, nothing from a CDN.
# Data URIs only for images (icons in the API docs' stylesheet).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A working day and some: an office person logs in once a day, not once a fortnight.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE_SECONDS", default=60 * 60 * 12)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "core.parsers.FormParser",
        "core.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "brokerage.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "brokerage.api.errors.exception_handler",
    # Never trust a client's own X-Forwarded-For: count only the proxies we run.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SME production network brokerage API",
    "DESCRIPTION": (
        "Requests for quotation routed to member firms by competency, the estimate clock, "
        "project teams and exact payment splits."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from the sidecar package: nothing is loaded from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LeaderReasonEnum": "orders.models.RFQ.LeaderReason",
        # Two fields are called "kind": a request's, and what waits on a customer.
        "KindEnum": "orders.models.RFQ.Kind",
        "ActionNeededKindEnum": "orders.selectors.ActionNeeded.KINDS",
        # Three sets of "audience": every thread, a request's own, an order's own.
        "MessageAudienceEnum": "orders.models.Message.Audience",
        "RequestThreadEnum": "orders.models.orders.REQUEST_THREADS",
        "OrderThreadEnum": "orders.models.orders.ORDER_THREADS",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "brokerage.api.schema.integer_path_ids",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Axes announces itself at start-up in every command; its lockouts are warnings.
        "axes.apps": {"level": "WARNING"},
    },
}
