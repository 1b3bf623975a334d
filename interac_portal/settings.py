"""One settings module, read from the environment.

The defaults run on one machine with nothing but Python: SQLite, an embedded
(filesystem) Celery broker and console email. Production sets DATABASE_URL,
CELERY_BROKER_URL, CACHE_URL, EMAIL_URL, DJANGO_SECRET_KEY and
DJANGO_ALLOWED_HOSTS. See docs/deploy.md.
"""

from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
else:
    # Fail fast: a production process without its own secret or host list must not start.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off.")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off.")

# Old keys still accepted for signatures while a new one is rolled out (signed reply addresses in mailboxes).
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

SITE_NAME = "ALT Portal"
# Absolute base for links in emails (invitations, replies): emails leave the request context.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A Japanese TrueType font for the PDF certificate (Debian: fonts-ipafont-gothic). Without it the
# certificate is made in a Latin font when the text allows, or shown as a page to print.
CERTIFICATE_FONT = env.str("CERTIFICATE_FONT", default="/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf")

INSTALLED_APPS = [
    # django.contrib.admin, with core's admin site as the default one (core/adminsite.py).
    "core.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "import_export",
    "concurrency",
    "csp",
    "anymail",
    # ours, lowest layer first
    "core.apps.CoreConfig",
    "contacts",
    "onboarding",
    "training",
    "support",
    "safety",
    "interac_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.params.RefuseNulCharactersMiddleware",
    "core.middleware.StaticFilesMiddleware",  # WhiteNoise's
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.SessionIdleMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.PrivatePagesNoStoreMiddleware",
    "core.security.RefusedAccessLogMiddleware",
]

ROOT_URLCONF = "interac_portal.urls"
WSGI_APPLICATION = "interac_portal.wsgi.application"

TEMPLATES = [
    {
        # The ALT pages (.jinja, in jinja2/ and <app>/jinja2/): core/jinja2.py.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "core.jinja2.environment",
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "interac_portal.context_processors.portal",
                "core.jinja2.csrf",
            ],
        },
    },
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
                "interac_portal.context_processors.portal",
            ],
        },
    },
    {
        # Plain-text emails: what people typed is shown as typed, never escaped or run.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# Database: SQLite in the project by default, PostgreSQL in production.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections: a new connection per request makes a one-query page
# several times slower. Health checks drop a connection the server closed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, scheduler) share the file in `make run`.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://portal")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Redis down must not take the login page with it (core/cache.py); short timeouts
    # so that a hung Redis costs a request one second, not a worker.
    CACHES["default"]["BACKEND"] = "core.cache.FallbackRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update({"socket_connect_timeout": 1, "socket_timeout": 1})

AUTH_USER_MODEL = "contacts.User"
# Django's and allauth's backends, each loading an ALT's profile with the user (one query).
AUTHENTICATION_BACKENDS = [
    "contacts.auth_backends.ModelBackend",
    "contacts.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list(
    "DJANGO_PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)
# Invitations use the password reset token: give a new ALT a week to answer.
PASSWORD_RESET_TIMEOUT = 7 * 24 * 3600

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# django-allauth: email login, no public sign-up, enumeration-proof reset.
ACCOUNT_ADAPTER = "contacts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ALT Portal] "
# The reset form queues the same task whatever the address (contacts.services.password_reset_request).
ACCOUNT_FORMS = {"reset_password": "contacts.forms.PasswordResetForm"}

# Sessions end after this much idle time: core.middleware.SessionIdleMiddleware
# pushes the expiry forward at most every few minutes rather than on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=2 * 3600)
SESSION_IDLE_REFRESH_SECONDS = 300
# With a shared cache (Redis) sessions are read from it (cached_db: written
# through to the database, so none is lost when Redis restarts), saving a query
# on every page. Never with a per-process cache, which would keep a logged-out
# session alive in the other processes. The engines record the user on the row
# (core/sessions), so that locking an account out ends its sessions.
_shared_cache = CACHES["default"]["BACKEND"].endswith("RedisCache")
SESSION_ENGINE = env.str(
    "SESSION_ENGINE",
    default="core.sessions.cached_db" if _shared_cache else "core.sessions.db",
)
# The logged-in user (with an ALT's profile, branch and contacts) kept in the shared cache under
# version tokens that every write of those rows renews (contacts/people_cache.py). Never with a
# per-process cache, whose copies the other processes' writes could not mark.
PEOPLE_CACHE = env.bool("PEOPLE_CACHE", default=_shared_cache)
# What ALTs' pages show (the dashboard's cards, the lists) kept in the shared cache under version
# tokens that every write of those rows renews (core/versions.py); the same rule as above.
KEPT_PARTS = env.bool("KEPT_PARTS", default=_shared_cache)
# Each kept part is also built afresh and compared (a check for the tests; never in production).
KEPT_PARTS_VERIFY = env.bool("KEPT_PARTS_VERIFY", default=False)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
# One date format per language (interac_portal/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["interac_portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed static files once `collectstatic` has run (production);
# tests and `make run` serve them straight from static/.
_manifest = env.bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _manifest
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False
# Uploaded files (support attachments) live outside static/ and are never served
# directly: a view checks who may see them.
MEDIA_ROOT = Path(env.str("PORTAL_MEDIA_ROOT", default=str(VAR_DIR / "media")))
# No URL serves MEDIA_ROOT (an absolute, unroutable base also keeps the test server from serving it).
MEDIA_URL = "http://media.invalid/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console by default, SMTP in production (EMAIL_URL=smtp://...).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# An SMTP server that stops answering must not hold a worker forever: give up, retry later.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ALT Portal <portal@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: an embedded filesystem broker needs no server and still has a real
# worker consume the tasks; production points CELERY_BROKER_URL at Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "control"):
        # The worker, the scheduler and the web process may start in any order.
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
    }
else:
    # ack_emulation off: a worker that loses Redis while it holds a task (acks_late) no longer exits.
    # With it on, Celery 5.7 closes the lost connection after clearing its transport, and the Redis
    # transport's restore of the unacknowledged message builds a new client from that cleared
    # transport: "Unrecoverable error: AttributeError(...'hostname')" (docs/deploy.md). Without it
    # a message is gone from Redis once a worker takes it; a worker killed before running it loses
    # nothing that matters, since every email is an outbox row that the sweep sends.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "ack_emulation": False}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request when the broker is down: the outbox
# sweep delivers what could not be queued.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Exposes /bench/baseline/ and an X-Queries header on every response, for `make bench` only.
BENCH_BASELINE = env.bool("PORTAL_BENCH", default=False)
if BENCH_BASELINE:
    MIDDLEWARE.insert(0, "interac_portal.bench.QueryCountHeaderMiddleware")

# Free phone counselling for ALTs (the well-being page). Overridable per deployment.
WELLBEING_LINE = {
    "phone": env.str("WELLBEING_PHONE", default="0120-000-110"),
    "hours": env.str("WELLBEING_HOURS", default="10:00-22:00"),
    "days": _("Every day, including weekends and public holidays"),
    "languages": [_("English"), _("Japanese"), _("Chinese"), _("Spanish"), _("Portuguese"), _("Tagalog")],
}
# Safety checks (safety app): those who have not answered are reminded every few hours, a few times.
SAFETY_REMINDER_HOURS = env.int("SAFETY_REMINDER_HOURS", default=3)
SAFETY_REMINDER_ROUNDS = env.int("SAFETY_REMINDER_ROUNDS", default=4)
# Answer rows and emails written per transaction when a check starts.
SAFETY_FANOUT_BATCH = 1000
# How often the staff view of an open check refreshes itself.
SAFETY_LIVE_REFRESH_SECONDS = 15
# Well-being check-ins: months after arrival, how many days the invitation may come late (the
# daily task missed a day), the fewest answers a branch average is shown for, a "low" score.
WELLBEING_CHECKIN_MONTHS = (1, 3, 6)
WELLBEING_CHECKIN_WINDOW_DAYS = 14
WELLBEING_MIN_ANSWERS = 5
WELLBEING_LOW_SCORE = 2
# Office hours for national roles (SESPS, GRM) at the head office, Japan time.
HEAD_OFFICE_HOURS = ("09:00", "18:00")


def _month_day(text: str) -> str:
    """ "12-29", " 1-3" -> "12-29", "01-03": the form due times compare with."""
    try:
        return datetime.strptime(f"2000-{text.strip()}", "%Y-%m-%d").strftime("%m-%d")  # 2000: 02-29 exists
    except ValueError:
        raise ImproperlyConfigured(f"OFFICE_CLOSED_DAYS: {text.strip()!r} is not a day as MM-DD.") from None


# Days every office is closed besides Japanese public holidays ("MM-DD"): the New Year
# break by default. Support requests' due times do not count them.
OFFICE_CLOSED_DAYS = frozenset(
    _month_day(day)
    for day in env.list("OFFICE_CLOSED_DAYS", default=["12-29", "12-30", "12-31", "01-01", "01-02", "01-03"])
    if day.strip()
)

# Security headers. Behind a TLS-terminating proxy in production.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_FAILURE_VIEW = "interac_portal.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
_secure = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
LANGUAGE_COOKIE_SECURE = _secure
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"scrub": {"()": "core.logging.ScrubPersonalData"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.security": {"level": "WARNING"},
        "portal.security": {"level": "INFO"},
        # fpdf2 subsets fonts for each certificate, and fontTools narrates every step at INFO.
        "fontTools": {"level": "WARNING"},
    },
}

ADMINS = [("Portal admins", a) for a in env.list("DJANGO_ADMINS", default=[])]
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.logging.PrivateExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "core.logging.PrivateExceptionReporter"
# Behind a reverse proxy that sets X-Forwarded-For (docs/deploy.md), log and
# rate-limit by the client's address rather than the proxy's.
USE_X_FORWARDED_FOR = env.bool("USE_X_FORWARDED_FOR", default=False)
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if USE_X_FORWARDED_FOR else 0

# Outbox delivery: retries with exponential backoff, then FAILED.
NOTIFICATION_MAX_ATTEMPTS = 5
NOTIFICATION_RETRY_BASE = timedelta(minutes=1)
# A row claimed by a worker that died is claimed again after this long (well above EMAIL_TIMEOUT,
# so that a slow send is never taken for a dead one).
NOTIFICATION_CLAIM_TIMEOUT = timedelta(seconds=env.int("NOTIFICATION_CLAIM_TIMEOUT_SECONDS", default=600))
# Once the SMTP server has taken an email, marking its row SENT is tried again on a fresh database
# connection after these pauses (seconds; about half a minute in all, longer than a PostgreSQL
# restart): a row left SENDING would be sent again by the sweep.
NOTIFICATION_MARK_RETRY_WAITS = (0, 0.5, 1, 2, 4, 8, 15)
# The domain of every email's Message-ID (contacts.outbox.notification_message_id).
MESSAGE_ID_DOMAIN = env.str("MESSAGE_ID_DOMAIN", default=urlsplit(SITE_URL).hostname or "localhost")

# Replies by email (support.reply_address): every email about a request has the Reply-To
# reply+<signed token>@REPLY_DOMAIN; the mail for that domain reaches the portal through the
# provider's inbound webhook (Mailgun, /support/inbound/mailgun/) or a Maildir that
# `manage.py read_reply_maildir` reads. An address older than REPLY_TOKEN_MAX_AGE_DAYS gets a bounce.
REPLY_DOMAIN = env.str("REPLY_DOMAIN", default=urlsplit(SITE_URL).hostname or "localhost")
REPLY_TOKEN_MAX_AGE_DAYS = env.int("REPLY_TOKEN_MAX_AGE_DAYS", default=180)
# The Maildir a self-hosted mail server delivers the reply domain to (read_reply_maildir), if any.
REPLY_MAILDIR = env.str("REPLY_MAILDIR", default="")
# django-anymail's inbound webhooks. Mailgun signs each post with the webhook signing key (its control
# panel, "Webhooks"); without one the webhook answers 404. ANYMAIL_WEBHOOK_SECRET ("user:password")
# adds HTTP basic authentication on top, when the route's URL carries it.
ANYMAIL = {
    "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
    "WEBHOOK_SECRET": env.list("ANYMAIL_WEBHOOK_SECRET", default=[]),
}
