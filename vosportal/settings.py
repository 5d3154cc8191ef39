"""The one settings module. Everything that differs between machines comes from the
environment (see .env.example); the defaults are the embedded ones `make run` uses:
SQLite and a filesystem Celery broker under var/, no PostgreSQL or Redis needed.

Sections, each setting defined once, in its section (nothing is patched further down):
paths and environment; security; apps and middleware; templates; database; cache;
static files; email; sign-in (allauth, MFA, sessions); language and time; logging; the
VOS servers and their pushes; live state; money; call records and reports; audit trail;
alerts; IVR and media; Celery and its beat schedule (last: it reads intervals above).
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from vosportal.env import (
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    env_vos_servers,
)

# --- Paths and environment ---------------------------------------------------------------
BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# On under pytest unless said otherwise: a dev secret, a fast hasher, plain-HTTP cookies,
# and a var/ of its own so tests never share a broker or cache with `make run`.
TESTING = env_bool("TESTING", "pytest" in sys.modules)
# Each test run gets a var/ of its own (database file, broker, cache), so runs side by
# side never share state; the root conftest removes it at the end.
_DEFAULT_VAR = BASE_DIR / (f"var/test/run-{os.getpid()}" if TESTING else "var")
VAR_DIR = Path(env_str("VAR_DIR", str(_DEFAULT_VAR)))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Security ----------------------------------------------------------------------------
_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdefghij"  # noqa: S105
# `make run` (scripts/devrun.py) keeps a random secret of this checkout's own in var/, so
# `manage.py` commands typed beside it work with DEBUG off, as README writes them. Only
# that script writes the file; production sets SECRET_KEY.
_DEV_SECRET_KEY_FILE = VAR_DIR / "dev-secret-key"
if DEBUG or TESTING:
    SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY)
elif "SECRET_KEY" not in os.environ and _DEV_SECRET_KEY_FILE.is_file():
    SECRET_KEY = _DEV_SECRET_KEY_FILE.read_text().strip()
else:
    SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY or (not (DEBUG or TESTING) and SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a real secret when DEBUG is off (in a development "
        "checkout, run `make run` once: it keeps one in var/)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, loaded by a statement written once (accounts.session_store).
SESSION_ENGINE = "accounts.session_store"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600, minimum=300)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Apps and middleware -----------------------------------------------------------------
INSTALLED_APPS = [
    # Ours, lowest layer first (docs/architecture.md): shared web helpers, the tenancy
    # kernel, the switch gate, then the feature areas. Their pages.py and urls.py modules
    # are found by walking these apps (web.pages).
    "web",
    "accounts",
    "switch",
    "customers",
    "billing",
    "telephony",
    "alerts",
    "webhooks",
    "dashboard",
    # The API (/api/v1/): above the feature areas, whose selectors and services it uses.
    "api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_htmx",
    "template_partials",
    "csp",
]

# The writes a GET leaves for after its answer (web.after) go to one thread per process,
# so a kept-alive connection's next request is not held up by them; the tests do them in
# the response's close(), where they can see them done.
AFTER_RESPONSE_IN_THREAD = env_bool("AFTER_RESPONSE_IN_THREAD", not TESTING)

MIDDLEWARE = [
    "vosportal.middleware.RequestIdMiddleware",
    # VOS's pushes go straight to their receiver: none of the middleware below runs.
    "switch.push_receiver.PushPathMiddleware",
    # Balances a page read are written after its answer (web.after): a GET writes nothing.
    "web.after.AfterResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vosportal.middleware.UserPreferencesMiddleware",
    "accounts.middleware.ScopeMiddleware",
    "accounts.audit.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vosportal.middleware.HtmxLoginRedirectMiddleware",
    "vosportal.middleware.HtmxMessagesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's session tracking, at most once a minute per session and after a GET's
    # response (allauth's own middleware writes before every view).
    "accounts.sessions.SessionActivityMiddleware",
    "accounts.sessions.SessionLifetimeMiddleware",
    "accounts.mfa.MfaRequiredMiddleware",
]

ROOT_URLCONF = "vosportal.urls"
WSGI_APPLICATION = "vosportal.wsgi.application"

# --- Templates ---------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                # The navigation, and the bell's count of unread notifications.
                "web.context_processors.navigation",
                "alerts.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file in `make run`: wait for locks
    # instead of failing, and let readers run beside the writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, so a real worker process can see what a test wrote.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
elif TESTING:
    # Side-by-side runs on one PostgreSQL server must not share a test database.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite (make run, local tests) ignores covering-index columns; PostgreSQL uses them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Cache (Redis when REDIS_URL is set; Celery below uses it too) -------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "vosportal",
        }
    }
else:
    # A cache every process shares (rate limits, the shared VOS polls), with no server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Static files ------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# In development and tests (and under `make run`, which runs with DEBUG off to show the
# portal's own error pages) whitenoise serves straight from the finders, no collectstatic.
STATIC_FROM_SOURCE = env_bool("STATIC_FROM_SOURCE", DEBUG or TESTING)
WHITENOISE_USE_FINDERS = STATIC_FROM_SOURCE
WHITENOISE_AUTOREFRESH = STATIC_FROM_SOURCE
if STATIC_FROM_SOURCE:
    STATIC_ROOT = VAR_DIR / "staticfiles"
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Files browsers ask for at the site's root (/favicon.ico), served by whitenoise as is.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if STATIC_FROM_SOURCE
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email -------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "VOS Portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Sign-in: users, django-allauth, MFA, sessions ---------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's, each loading a request's user with its tenant and whether it
# has a TOTP authenticator in one query (accounts.backends). Sessions signed in through
# the plain classes before they were swapped for these sign in again, once.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AllauthBackend",
]
ACCOUNT_ADAPTER = "accounts.adapters.NoSignupAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# Changing email or password and managing MFA ask for the password again first.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("REAUTHENTICATION_TIMEOUT", 300, minimum=30)
MFA_REAUTHENTICATION_REQUIRED = True
# Spelled out rather than left to allauth's defaults, so a reviewer sees them. They count
# in the default cache: Redis, or the shared file cache (accounts.checks refuses a
# per-process cache in production). "login_failed" also counts wrong TOTP codes.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
    "manage_email": "10/m/user",
    "signup": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "VOS Portal")
# Accept the code of the step before or after as well: phones' clocks drift, and a code
# typed in the last second of its window otherwise fails (RFC 6238, section 5.2).
MFA_TOTP_TOLERANCE = 1
USERSESSIONS_TRACK_ACTIVITY = True
# Enforced by accounts.sessions.SessionLifetimeMiddleware.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_ABSOLUTE_LIFETIME", 12 * 3600, minimum=300)
# Moving more money than this needs a password entered within REAUTHENTICATION_TIMEOUT
# (accounts.sessions.require_recent_auth).
REAUTH_MONEY_ABOVE = Decimal(env_str("REAUTH_MONEY_ABOVE", "100"))
INVITATION_TTL_HOURS = env_int("INVITATION_TTL_HOURS", 72, minimum=1)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Language and time -------------------------------------------------------------------
LANGUAGE_CODE = "en"
# Each language is named in its own words: a reader finds theirs whatever the page shows.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# How amounts are written (web.numbers): balances and amounts to MONEY_DECIMALS places,
# rates and per-call fees to RATE_DECIMALS (VOS keeps 1/10000: at most 4), grouped for
# the language on pages and plain in exports. CURRENCY (e.g. "USD", or blank) follows
# each amount on the pages.
MONEY_DECIMALS = env_int("MONEY_DECIMALS", 2, minimum=0)
RATE_DECIMALS = env_int("RATE_DECIMALS", 4, minimum=0)

# --- API ---------------------------------------------------------------------------------
# Requests per API key, on the shared cache: "<count>/<s|min|hour>"; over it -> 429.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "120/min")
CURRENCY = env_str("CURRENCY", "")

# --- Logging -----------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "vosportal.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # runserver's request lines follow LOG_LEVEL too (`make run` shows only the 4xx
        # and 5xx ones at its default WARNING), in the same format as the rest.
        "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # urllib3's debug lines name the host it connects to: the VOS address stays out.
        "urllib3": {"level": "WARNING"},
        # The Stripe library logs request URLs at INFO and whole answers at DEBUG.
        "stripe": {"level": "WARNING"},
        # The filesystem broker (no REDIS_URL) has no host, which kombu warns of on every
        # new connection; with Redis its warnings (rediss:// without ssl) stay.
        "kombu.connection": {"level": "WARNING" if REDIS_URL else "ERROR"},
    },
}

# --- VOS3000: the servers, and the pushes they send ---------------------------------------
# name=base_url pairs; the base URL includes the context path. Never rendered to users.
VOS_SERVERS = env_vos_servers("VOS_SERVERS", "")
VOS_CONNECT_TIMEOUT = env_float("VOS_CONNECT_TIMEOUT", 3.0, minimum=0.1)
VOS_READ_TIMEOUT = env_float("VOS_READ_TIMEOUT", 15.0, minimum=0.1)
# CustomerMoneyChange pushes are accepted at /vos/push/<token>/CustomerMoneyChange; empty
# turns the receiver off.
VOS_PUSH_TOKEN = env_str("VOS_PUSH_TOKEN", "")
# Proxies whose X-Forwarded-For the push receiver believes (IPs or CIDRs); empty: the
# source of a push is REMOTE_ADDR, nothing else.
VOS_PUSH_TRUSTED_PROXIES = env_list("VOS_PUSH_TRUSTED_PROXIES", [])
# Waiting pushes older than this are processed by the sweep (their task was lost).
VOS_PUSH_SWEEP_AFTER_SECONDS = env_int("VOS_PUSH_SWEEP_AFTER_SECONDS", 30, minimum=0)
# No broker message per push: a stored push wakes the worker at most once per this many
# seconds, and the woken task drains the inbox in batches of VOS_PUSH_BATCH, in arrival
# order (switch.push_inbox).
VOS_PUSH_WAKE_SECONDS = env_int("VOS_PUSH_WAKE_SECONDS", 1, minimum=1)  # whole: a cache TTL
VOS_PUSH_BATCH = env_int("VOS_PUSH_BATCH", 200, minimum=1)
# Off (PostgreSQL only): a push is answered once its row is committed, before the commit
# reaches the disk (synchronous_commit off for that INSERT alone). A crash of PostgreSQL
# or of the machine, not of the portal, then loses up to ~0.6 s of answered pushes; one
# VOS sender is no longer held to one disk flush per push.
VOS_PUSH_DURABLE_COMMIT = env_bool("VOS_PUSH_DURABLE_COMMIT", True)
VOS_PUSH_KEEP_DAYS = env_int("VOS_PUSH_KEEP_DAYS", 7, minimum=1)

# --- Live state: live calls, online phones ----------------------------------------------
# One shared GetCurrentCall / GetAllPhoneOnline per VOS server per interval, at most.
LIVE_CALLS_POLL_SECONDS = env_int("LIVE_CALLS_POLL_SECONDS", 10, minimum=1)
LIVE_PHONES_POLL_SECONDS = env_int("LIVE_PHONES_POLL_SECONDS", 60, minimum=5)
# How often pages refresh their live fragments (htmx polling), and how long a phone's
# owner (e164 -> account) is remembered.
LIVE_REFRESH_SECONDS = env_int("LIVE_REFRESH_SECONDS", 5, minimum=1)
LIVE_OWNER_CACHE_SECONDS = env_int("LIVE_OWNER_CACHE_SECONDS", 600, minimum=10)

# --- Money -------------------------------------------------------------------------------
# A money call left unanswered is taken as not applied when VOS's pay history still
# lacks it this long after it was sent (longer than any read timeout).
MONEY_RECONCILE_GRACE_SECONDS = env_int("MONEY_RECONCILE_GRACE_SECONDS", 120, minimum=1)
# A leg that follows money already moved (a funded top-up's credit, the reseller's
# refund) and is proven absent from VOS is tried again as a new leg with a new key: at
# most this many calls in all, the n-th retry waiting RETRY_SECONDS * 2**(n-1) first.
MONEY_LEG_MAX_ATTEMPTS = env_int("MONEY_LEG_MAX_ATTEMPTS", 3, minimum=1)
MONEY_LEG_RETRY_SECONDS = env_int("MONEY_LEG_RETRY_SECONDS", 30, minimum=0)
# A leg that cannot be opened now (a call of the same amount on the same account is in
# flight) waits in the worker, never in the web request: it is tried again after 1, 2,
# 4... seconds, never more than QUEUE_RETRY_MAX_SECONDS apart; a transfer whose first
# leg waited longer than QUEUE_MAX_WAIT_SECONDS is given up (nothing was paid).
MONEY_QUEUE_RETRY_MAX_SECONDS = env_int("MONEY_QUEUE_RETRY_MAX_SECONDS", 15, minimum=1)
MONEY_QUEUE_MAX_WAIT_SECONDS = env_int("MONEY_QUEUE_MAX_WAIT_SECONDS", 1800, minimum=60)
# Receipts of successful top-ups go by email at once; a sweep every RECEIPT_SWEEP_SECONDS
# sends those whose task was lost (or whose email failed) up to RECEIPT_SWEEP_HOURS later.
RECEIPT_SWEEP_SECONDS = env_int("RECEIPT_SWEEP_SECONDS", 300, minimum=30)
RECEIPT_SWEEP_HOURS = env_int("RECEIPT_SWEEP_HOURS", 24, minimum=1)

# --- Card payments (billing.payments) ----------------------------------------------------
# The Fernet key that encrypts payment accounts' provider keys at rest (32 url-safe
# base64 bytes: `python -c "from cryptography.fernet import Fernet;
# print(Fernet.generate_key().decode())"`). `make run` keeps one in var/; tests derive
# one. Without it, payment keys cannot be stored or used (nothing else stops).
_DEV_PAYMENT_KEYS_FILE = VAR_DIR / "dev-payment-keys-fernet-key"
if "PAYMENT_KEYS_FERNET_KEY" in os.environ:
    PAYMENT_KEYS_FERNET_KEY = env_str("PAYMENT_KEYS_FERNET_KEY", "")
elif _DEV_PAYMENT_KEYS_FILE.is_file():
    PAYMENT_KEYS_FERNET_KEY = _DEV_PAYMENT_KEYS_FILE.read_text().strip()
elif DEBUG or TESTING:
    PAYMENT_KEYS_FERNET_KEY = "ZGV2LW9ubHktcGF5bWVudC1rZXlzLW5ldmVyLXVzZS0="
else:
    PAYMENT_KEYS_FERNET_KEY = ""
# Where providers send webhooks and browsers come back to (e.g. https://portal.example.com);
# blank: the address the customer's browser used.
PAYMENTS_PUBLIC_URL = env_str("PAYMENTS_PUBLIC_URL", "")
# The daily reconciliation looks this many days back in each provider's listing.
PAYMENTS_RECONCILE_DAYS = env_int("PAYMENTS_RECONCILE_DAYS", 3, minimum=1)
# A webhook whose signed timestamp is older (or newer) than this is refused.
PAYMENTS_WEBHOOK_TOLERANCE_SECONDS = env_int("PAYMENTS_WEBHOOK_TOLERANCE_SECONDS", 300, minimum=1)

# --- Webhooks out (webhooks) ----------------------------------------------------------------
# The Fernet key endpoint secrets are stored under (default: the payment keys' key).
WEBHOOKS_FERNET_KEY = env_str("WEBHOOKS_FERNET_KEY", "") or PAYMENT_KEYS_FERNET_KEY
# Deliveries never reach private, loopback, link-local, multicast or reserved addresses
# (SSRF), unless this is true (a receiver on the local network; the tests' local receiver).
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
# Endpoints are https:// addresses; true also allows plain http:// (development, tests).
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", False)
# Certificates of https endpoints are checked against the system's CAs, or this bundle
# (a file of PEM certificates) when set.
WEBHOOKS_CA_BUNDLE = env_str("WEBHOOKS_CA_BUNDLE", "")
# Each try waits this long for the endpoint's answer (connect and read).
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 10, minimum=1)

# --- Call records and reports --------------------------------------------------------------
# VOS warns that frequent GetCdr calls hurt it: the portal pulls CDRs into its own table
# in the background (one day per call, accounts in batches, paced) and answers every
# search from that copy.
# A new server's history is pulled this many days back.
CDR_PULL_BACKFILL_DAYS = env_int("CDR_PULL_BACKFILL_DAYS", 31, minimum=1)
# Days before the last pulled one that every run pulls again, for records written late.
CDR_PULL_RELOOK_DAYS = env_int("CDR_PULL_RELOOK_DAYS", 2, minimum=0)
# Accounts named in one GetCdr call.
CDR_PULL_ACCOUNT_BATCH = env_int("CDR_PULL_ACCOUNT_BATCH", 100, minimum=1)
# Days one GetCdr covers. Real servers cap the range; a range-cap answer splits the window.
CDR_PULL_MAX_DAYS = env_int("CDR_PULL_MAX_DAYS", 1, minimum=1)
# Pause between two GetCdr calls of a pull, so a pull never floods the switch.
CDR_PULL_PACE_SECONDS = env_float("CDR_PULL_PACE_SECONDS", 0.5, minimum=0)
# GetCdr calls of one server's pull in flight at once (each paced as above) while the
# answers already in are stored: at most this many calls at a time reach one switch.
CDR_PULL_FETCHERS = env_int("CDR_PULL_FETCHERS", 2, minimum=1)
# A failed day is pulled again after this long (doubling per attempt, capped at a day).
CDR_PULL_RETRY_SECONDS = env_int("CDR_PULL_RETRY_SECONDS", 300, minimum=1)
# Whole months of CDRs older than this are dropped (0 keeps everything).
CDR_RETENTION_MONTHS = env_int("CDR_RETENTION_MONTHS", 0, minimum=0)
# Today's calls fetched live for one account are cached this long (and paced as long).
CDR_LIVE_CACHE_SECONDS = env_int("CDR_LIVE_CACHE_SECONDS", 60, minimum=1)
# CDR exports and report results are kept this long for their requester.
CDR_EXPORT_TTL_HOURS = env_int("CDR_EXPORT_TTL_HOURS", 24, minimum=1)
REPORT_TTL_HOURS = env_int("REPORT_TTL_HOURS", 72, minimum=1)
# Accounts named in one fee report call.
REPORT_ACCOUNT_BATCH = env_int("REPORT_ACCOUNT_BATCH", 50, minimum=1)

# --- Audit trail -------------------------------------------------------------------------
# Audit CSV exports are downloadable this long, then deleted (files under VAR_DIR/exports).
AUDIT_EXPORT_TTL_HOURS = env_int("AUDIT_EXPORT_TTL_HOURS", 24, minimum=1)

# --- Alerts ------------------------------------------------------------------------------
# How often the worker probes each enabled VOS server (GetSoftSwitch), and how many
# failed probes in a row make it "unreachable" (alerted once, until it answers again).
ALERTS_PROBE_INTERVAL = env_int("ALERTS_PROBE_INTERVAL", 60)
ALERTS_UNREACHABLE_AFTER = env_int("ALERTS_UNREACHABLE_AFTER", 2)
# The probe also reads GetAlarmCurrent, so alarms are told when pushes do not arrive.
ALERTS_POLL_ALARMS = env_bool("ALERTS_POLL_ALARMS", True)
# Low-balance alerts also go to the managers of the customer's reseller.
ALERTS_LOW_BALANCE_TO_RESELLER = env_bool("ALERTS_LOW_BALANCE_TO_RESELLER", True)
# How long a process's published VOS measurements stay on the health page (seconds).
ALERTS_STATS_TTL = env_int("ALERTS_STATS_TTL", 3600)
# The portal's own address, for the links in alert and receipt emails.
ALERTS_PORTAL_URL = env_str("ALERTS_PORTAL_URL", "http://localhost:8000")

# --- IVR and media (the platform's telephony console) --------------------------------------
# The retCode the IVR hook answers when no DTMF rule matches (telephony.dtmf): a code
# no menu on the switch is defined for, so that the switch runs its default menu.
DTMF_NO_RULE_RET_CODE = env_int("DTMF_NO_RULE_RET_CODE", -1)
# Largest WAV file an admin may upload for an IVR audio, and the longest sound kept.
IVR_AUDIO_MAX_UPLOAD_BYTES = env_int("IVR_AUDIO_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1)
IVR_AUDIO_MAX_SECONDS = env_int("IVR_AUDIO_MAX_SECONDS", 300, minimum=1)

# --- Celery: broker, results and the beat schedule ------------------------------------------
# Last, because the schedule reads the intervals of the sections above.
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    # kombu's filesystem transport: a real broker shared by separate processes through
    # files under var/, so `make run` runs a real worker without Redis.
    for sub in ("out", "processed", "results", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_DIR / "out"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # Broadcast (control) messages too, or kombu makes ./control in the working dir.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    "heartbeat": {"task": "web.tasks.record_heartbeat", "schedule": 60.0},
    # Webhook deliveries whose next try is due (the retries, and any lost message).
    "webhook-deliveries": {"task": "webhooks.tasks.deliver_due", "schedule": 60.0},
    "purge-audit-exports": {
        "task": "accounts.audit_trail.tasks.purge_audit_exports",
        "schedule": 3600.0,
    },
    "sync-tenants": {
        "task": "customers.tasks.sync_all_tenants",
        "schedule": env_float("TENANT_SYNC_SECONDS", 600.0, minimum=30),
    },
    # Money calls whose answer was lost, settled against VOS's pay history.
    "reconcile-money": {"task": "billing.money.tasks.reconcile_open_transfers", "schedule": 60.0},
    # Receipt emails whose task was lost or whose email failed.
    "send-missed-receipts": {
        "task": "billing.money.tasks.send_missed_receipts",
        "schedule": float(RECEIPT_SWEEP_SECONDS),
    },
    # Card payments: each payment account's provider listing against the portal's credits.
    "reconcile-card-payments": {
        "task": "billing.payments.tasks.reconcile_card_payments",
        "schedule": 86400.0,
    },
    # Call records: pull from every server, drop months past retention, purge old jobs.
    "pull-cdrs": {
        "task": "billing.cdrs.tasks.pull_all_servers",
        "schedule": env_float("CDR_PULL_SECONDS", 300.0, minimum=30),
    },
    "cdr-retention": {"task": "billing.cdrs.tasks.apply_retention", "schedule": 86400.0},
    "purge-cdr-exports": {"task": "billing.cdrs.tasks.purge_cdr_exports", "schedule": 3600.0},
    "purge-report-jobs": {"task": "billing.reports.tasks.purge_report_jobs", "schedule": 3600.0},
    # Each enabled VOS server's health (alerts), every ALERTS_PROBE_INTERVAL seconds.
    "probe-vos-servers": {
        "task": "alerts.tasks.probe_vos_servers",
        "schedule": float(ALERTS_PROBE_INTERVAL),
    },
    # The pushes' safety net: those no wake-up reached (VOS_PUSH_SWEEP_AFTER_SECONDS),
    # and retries of failed ones (switch.push_inbox.sweep).
    "sweep-vos-pushes": {"task": "switch.tasks.sweep_pushes", "schedule": 30.0},
}
