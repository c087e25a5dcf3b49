"""Firmpay settings, read from the environment.

DJANGO_ENV is `development` (default) or `production`; production refuses to start
without the settings an operator must give (see docs/deploy.md).
"""

import hashlib
from pathlib import Path

from config.env import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    persistent_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DJANGO_ENV = env_str("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

DATA_DIR = Path(env_str("FIRMPAY_DATA_DIR", str(BASE_DIR / "data"))).resolve()

SECRET_KEY = env_str("SECRET_KEY") or (
    "" if PRODUCTION else persistent_secret(DATA_DIR / "secrets" / "secret_key")
)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Absolute links in emails (client invoice links, reminders) are built from this.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "firmpay.core",
    "firmpay.tenancy",
    "firmpay.clients",
    "firmpay.invoices",
    "firmpay.integrations",
    "firmpay.demo",
    "firmpay.payments",
    "firmpay.reminders",
    "firmpay.recurring",
    "firmpay.support",
    "firmpay.helpdesk",
    "firmpay.ops",
    "firmpay.accounting",
    "firmpay.documents",
    "firmpay.portal",
    "firmpay.dashboard",
    "firmpay.payouts",
]

MIDDLEWARE = [
    "firmpay.ops.request_id.RequestIdMiddleware",
    # 400 for a NUL in the path, query or form (PostgreSQL would refuse it mid-query).
    "firmpay.ops.request_guard.NullCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files (CSS, vendored htmx) from gunicorn: `make run` and
    # the Procfile have no other static server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sends Content-Security-Policy when SECURE_CSP is set (production) and gives
    # templates `csp_nonce`.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "firmpay.tenancy.middleware.CurrentFirmMiddleware",
    "firmpay.helpdesk.middleware.PresenceMiddleware",
    "firmpay.ops.throttle.LoginThrottleMiddleware",
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
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "firmpay.tenancy.context_processors.current_firm",
                "firmpay.integrations.banners.firm_banners",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL"), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tenancy.User"
# ModelBackend that reads the signed-in user with their memberships and firms in one query.
# Sessions made under Django's default backend name it, and sign in once more.
AUTHENTICATION_BACKENDS = ["firmpay.tenancy.backends.MemberBackend"]
LOGIN_URL = "tenancy:login"
LOGIN_REDIRECT_URL = "invoices:list"
LOGOUT_REDIRECT_URL = "tenancy:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

REDIS_URL = env_str("REDIS_URL")

# Huey: durable work lives in rows; the queue only kicks. SQLite file of its own by
# default, Redis when REDIS_URL is set.
HUEY = {
    "name": "firmpay",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "utc": True,
    "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")})

# Stripe (firmpay/payments/stripe/ is the only code that reads these). Unset key and base:
# `make run` starts the bundled sandbox and exports both.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_CONNECT_CLIENT_ID = env_str("STRIPE_CONNECT_CLIENT_ID")
# Any Stripe-compatible server (the sandbox); used as both the `api` and `connect` base.
STRIPE_API_BASE = env_str("STRIPE_API_BASE").rstrip("/")
# One or more whsec_ secrets, comma-separated (two while one is rolled); the secret
# `manage.py stripe_setup` stores in STRIPE_WEBHOOK_SECRET_FILE is accepted too.
STRIPE_WEBHOOK_SECRET = env_list("STRIPE_WEBHOOK_SECRET")
STRIPE_WEBHOOK_SECRET_FILE = env_str(
    "STRIPE_WEBHOOK_SECRET_FILE", str(DATA_DIR / "secrets" / "stripe_webhook_secret")
)
STRIPE_WEBHOOK_MAX_BYTES = env_int("STRIPE_WEBHOOK_MAX_BYTES", 1024 * 1024)
# Stored events are the work items: every Huey consumer runs a thread that claims due rows
# in batches (firmpay/payments/event_worker.py), woken by NOTIFY on PostgreSQL and by a
# poll of the indexed due column on SQLite. 0 workers: only the minute sweeper processes.
STRIPE_EVENTS_WORKERS = env_int("STRIPE_EVENTS_WORKERS", 1)
STRIPE_EVENTS_BATCH = env_int("STRIPE_EVENTS_BATCH", 100)
STRIPE_EVENTS_POLL_MS = env_int("STRIPE_EVENTS_POLL_MS", 50)
# PostgreSQL: a web process notifies the workers at most once per this many ms (the first
# event of a burst at once); a woken worker keeps looking for due rows for 4× as long.
STRIPE_EVENTS_NOTIFY_MS = env_int("STRIPE_EVENTS_NOTIFY_MS", 25)
# Linux: the event worker thread runs this many steps nicer than its consumer process, so
# that during a burst the web processes storing events win the CPU (0: same priority).
STRIPE_EVENTS_NICE = env_int("STRIPE_EVENTS_NICE", 10)
# No worker loop under HUEY_IMMEDIATE (tests): the webhook processes after commit instead.
STRIPE_EVENTS_PROCESS_INLINE = env_bool("HUEY_IMMEDIATE", False)
# True against the sandbox (or any STRIPE_API_BASE) and with test keys: no real money moves.
STRIPE_SANDBOX_MODE = env_bool(
    "STRIPE_SANDBOX_MODE",
    bool(STRIPE_API_BASE) or not STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_")),
)

# Online payments (issue 5): Firmpay's application fee per plan, in basis points of each
# payment (0 allowed). Override with e.g. FIRMPAY_APPLICATION_FEE_BPS="free=150,standard=75,pro=0".
FIRMPAY_APPLICATION_FEE_BPS = {"free": 150, "standard": 75, "pro": 0} | {
    key.strip(): int(value)
    for key, _, value in (
        item.partition("=") for item in env_list("FIRMPAY_APPLICATION_FEE_BPS") if "=" in item
    )
}

# Autopay (issue 15): how many days the client's autopay link in emails works.
FIRMPAY_AUTOPAY_LINK_DAYS = env_int("FIRMPAY_AUTOPAY_LINK_DAYS", 30)

# What each plan costs a month, shown on the Plan page (minor units of
# FIRMPAY_PLAN_CURRENCY; 0 = no monthly charge). Firmpay itself bills only the per-payment
# fee above; an operator who charges for plans sets e.g. "standard=2900,pro=7900".
FIRMPAY_PLAN_CURRENCY = env_str("FIRMPAY_PLAN_CURRENCY", "USD").upper()
FIRMPAY_PLAN_MONTHLY_PRICES = {"free": 0, "standard": 0, "pro": 0} | {
    key.strip(): int(value)
    for key, _, value in (
        item.partition("=") for item in env_list("FIRMPAY_PLAN_MONTHLY_PRICES") if "=" in item
    )
}

# Accounting sync (issue 7; firmpay/accounting/providers/ read these). Base URLs are
# overridable for tests and the fake consent page. ACCOUNTING_TOKEN_KEY encrypts OAuth tokens
# at rest (comma-separated keys, newest first); generated once under the data dir in development.
ACCOUNTING_TOKEN_KEY = env_str("ACCOUNTING_TOKEN_KEY") or (
    "" if PRODUCTION else persistent_secret(DATA_DIR / "secrets" / "accounting_token_key")
)
# Xero apps created on or after 2 March 2026 get granular scopes only; an older app may set
# the broad set (accounting.transactions ...) here until Xero retires it (September 2027).
XERO_SCOPES = env_str(
    "XERO_SCOPES",
    "openid profile email offline_access accounting.invoices accounting.payments "
    "accounting.contacts accounting.settings.read accounting.banktransactions",
)
# Part of every idempotency key Firmpay sends (Xero Idempotency-Key, QuickBooks requestid),
# so two deployments (staging, production) on one organisation never replay each other's
# answers. Generated once in development; derived from SECRET_KEY in production if unset.
ACCOUNTING_DEPLOYMENT_ID = env_str("ACCOUNTING_DEPLOYMENT_ID") or (
    hashlib.sha256(SECRET_KEY.encode()).hexdigest()[:10]
    if PRODUCTION
    else persistent_secret(DATA_DIR / "secrets" / "accounting_deployment_id", 6)
)
XERO_CLIENT_ID = env_str("XERO_CLIENT_ID")
XERO_CLIENT_SECRET = env_str("XERO_CLIENT_SECRET")
XERO_AUTHORIZE_URL = env_str(
    "XERO_AUTHORIZE_URL", "https://login.xero.com/identity/connect/authorize"
)
XERO_TOKEN_URL = env_str("XERO_TOKEN_URL", "https://identity.xero.com/connect/token")
XERO_REVOKE_URL = env_str("XERO_REVOKE_URL", "https://identity.xero.com/connect/revocation")
XERO_API_BASE = env_str("XERO_API_BASE", "https://api.xero.com")
XERO_APP_URL = env_str("XERO_APP_URL", "https://go.xero.com")
QUICKBOOKS_CLIENT_ID = env_str("QUICKBOOKS_CLIENT_ID")
QUICKBOOKS_CLIENT_SECRET = env_str("QUICKBOOKS_CLIENT_SECRET")
QUICKBOOKS_AUTHORIZE_URL = env_str(
    "QUICKBOOKS_AUTHORIZE_URL", "https://appcenter.intuit.com/connect/oauth2"
)
QUICKBOOKS_TOKEN_URL = env_str(
    "QUICKBOOKS_TOKEN_URL", "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
)
QUICKBOOKS_REVOKE_URL = env_str(
    "QUICKBOOKS_REVOKE_URL", "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
)
# https://sandbox-quickbooks.api.intuit.com for Intuit's sandbox companies.
QUICKBOOKS_API_BASE = env_str("QUICKBOOKS_API_BASE", "https://quickbooks.api.intuit.com")
QUICKBOOKS_APP_URL = env_str("QUICKBOOKS_APP_URL", "https://app.qbo.intuit.com")

# Email (Django 6.1 MAILERS): the outbox folder under the data dir (and the console)
# unless SMTP is configured with EMAIL_HOST.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Firmpay <billing@firmpay.local>")
EMAIL_OUTBOX_DIR = DATA_DIR / "outbox"
if env_str("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "firmpay.core.email.OutboxEmailBackend",
            "OPTIONS": {"file_path": str(EMAIL_OUTBOX_DIR)},
        }
    }

# Django's database sessions, loaded with one plain SELECT (firmpay/core/sessions.py).
SESSION_ENGINE = "firmpay.core.sessions"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# Log-in throttling (firmpay/ops/throttle.py): failures per (IP, email) and per IP within
# the window, then a lockout. FIRMPAY_TRUSTED_PROXIES: how many proxies add X-Forwarded-For.
LOGIN_THROTTLE_ATTEMPTS = env_int("LOGIN_THROTTLE_ATTEMPTS", 5)
LOGIN_THROTTLE_IP_ATTEMPTS = env_int("LOGIN_THROTTLE_IP_ATTEMPTS", 50)
LOGIN_THROTTLE_WINDOW = env_int("LOGIN_THROTTLE_WINDOW", 900)
LOGIN_THROTTLE_LOCKOUT = env_int("LOGIN_THROTTLE_LOCKOUT", 900)
FIRMPAY_TRUSTED_PROXIES = env_int("FIRMPAY_TRUSTED_PROXIES", 0)

# Every record gets the request id and is redacted (configured secrets, Stripe keys and
# webhook secrets, Authorization headers, card numbers) before any handler sees it.
# LOG_FORMAT=json (the production default) writes one JSON object per line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "firmpay.ops.logs.RequestIdFilter"},
        "redact": {"()": "firmpay.ops.logs.RedactFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "firmpay.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if env_str("LOG_FORMAT") == "json" else "plain",
            "filters": ["request_id", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The SDK logs every request at INFO; ours log what matters (never secrets).
        "stripe": {"level": "WARNING"},
        # Configured here, run_huey adds no plain-text handler of its own (no duplicate
        # lines): the consumer's task log goes through the JSON/redacting console handler.
        "huey": {
            "handlers": ["console"],
            "level": env_str("LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}

if PRODUCTION:
    from config.production import apply_production_settings

    apply_production_settings(globals())
