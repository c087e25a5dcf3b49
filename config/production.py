"""Production hardening: refuse to start half-configured (extended by the scale issue)."""

from django.core.exceptions import ImproperlyConfigured


def apply_production_settings(settings: dict) -> None:
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not settings.get(name)]
    if missing:
        raise ImproperlyConfigured(f"DJANGO_ENV=production needs {', '.join(missing)}")
    if settings["DATABASES"]["default"]["ENGINE"].endswith("sqlite3"):
        raise ImproperlyConfigured("DJANGO_ENV=production needs DATABASE_URL (PostgreSQL)")
    settings.update(
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
        SECURE_SSL_REDIRECT=True,
        SECURE_HSTS_SECONDS=31536000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    )
