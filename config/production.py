"""Production hardening (DJANGO_ENV=production): refuse to start half-configured, then
HTTPS-only cookies, HSTS, SSL redirect behind the proxy, a strict Content-Security-Policy
and JSON logs. `manage.py check --deploy` is clean with these (tests/deploy)."""

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import env_bool, env_int, env_str

# What the operator must give, and why (each named in the error).
REQUIRED = {
    "SECRET_KEY": "SECRET_KEY (a long random string; signs sessions and tokens)",
    "ALLOWED_HOSTS": "ALLOWED_HOSTS (comma-separated host names this site answers to)",
    "STRIPE_SECRET_KEY": "STRIPE_SECRET_KEY (the platform's sk_live_/rk_live_ key)",
    "STRIPE_CONNECT_CLIENT_ID": "STRIPE_CONNECT_CLIENT_ID (the platform's ca_ Connect client id)",
    "STRIPE_WEBHOOK_SECRET": (
        "STRIPE_WEBHOOK_SECRET (the Connect endpoint's whsec_ signing secret; "
        "comma-separated while rolling)"
    ),
    "ACCOUNTING_TOKEN_KEY": (
        "ACCOUNTING_TOKEN_KEY (encrypts Xero/QuickBooks tokens at rest; the same value on "
        "every machine, comma-separated newest first when rotating)"
    ),
}

# Pages load only our own static files (htmx is vendored); no inline script or style.
CSP_POLICY = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    # No form-action: Pay, Connect and OAuth posts redirect to Stripe's hosted pages,
    # and browsers apply form-action to those redirects.
}


def missing_settings(settings: dict) -> list[str]:
    missing = [why for name, why in REQUIRED.items() if not settings.get(name)]
    engine = settings["DATABASES"]["default"]["ENGINE"]
    if not engine.endswith("postgresql"):
        missing.append(
            "DATABASE_URL (postgres://user:password@host:5432/name; SQLite is for one machine)"
        )
    if len(settings.get("SECRET_KEY") or "") and len(settings["SECRET_KEY"]) < 50:
        missing.append("SECRET_KEY of at least 50 characters")
    if settings.get("DEBUG"):
        missing.append("DEBUG=false (DEBUG pages leak settings)")
    return missing


def apply_production_settings(settings: dict) -> None:
    missing = missing_settings(settings)
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production refuses to start without: " + "; ".join(missing)
        )
    settings.update(
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SECURE_SSL_REDIRECT=env_bool("SECURE_SSL_REDIRECT", True),
        # The load balancer's health checks reach the processes over plain HTTP.
        SECURE_REDIRECT_EXEMPT=[r"^healthz$", r"^readyz$"],
        SECURE_HSTS_SECONDS=env_int("SECURE_HSTS_SECONDS", 31536000),
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=env_bool("SECURE_HSTS_PRELOAD", True),
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        SECURE_CONTENT_TYPE_NOSNIFF=True,
        SECURE_REFERRER_POLICY="same-origin",
        X_FRAME_OPTIONS="DENY",
        SECURE_CSP=CSP_POLICY,
        FIRMPAY_TRUSTED_PROXIES=env_int("FIRMPAY_TRUSTED_PROXIES", 1),
    )
    if env_str("LOG_FORMAT", "json") == "json":
        settings["LOGGING"]["handlers"]["console"]["formatter"] = "json"
