"""DJANGO_ENV=production: refuses to start half-configured, and `check --deploy` is clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.production import CSP_POLICY, apply_production_settings

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "p" * 20 + "-production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "app.firmpay.example",
    "CSRF_TRUSTED_ORIGINS": "https://app.firmpay.example",
    "SITE_URL": "https://app.firmpay.example",
    "DATABASE_URL": "postgres://firmpay:pw@127.0.0.1:5432/firmpay",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "STRIPE_SECRET_KEY": "sk_live_deploycheck0000000000",
    "STRIPE_CONNECT_CLIENT_ID": "ca_deploycheck000000000000000",
    "STRIPE_WEBHOOK_SECRET": "whsec_deploycheck000000000000",
    "ACCOUNTING_TOKEN_KEY": "accounting-token-key-for-the-deploy-check",
    "DEBUG": "false",
}


def settings_dict(**overrides):
    base = {
        "SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"],
        "ALLOWED_HOSTS": ["app.firmpay.example"],
        "DEBUG": False,
        "DATABASES": {"default": {"ENGINE": "django.db.backends.postgresql"}},
        "STRIPE_SECRET_KEY": "sk_live_x",
        "STRIPE_CONNECT_CLIENT_ID": "ca_x",
        "STRIPE_WEBHOOK_SECRET": ["whsec_x"],
        "ACCOUNTING_TOKEN_KEY": "k",
        "LOGGING": {"handlers": {"console": {"formatter": "plain"}}},
    }
    return base | overrides


def run_django(env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("STRIPE_", "DJANGO_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS")
        )
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = run_django(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


def test_production_refuses_to_start_and_names_everything_missing():
    env = {"DJANGO_ENV": "production", "DEBUG": "false"}
    result = run_django(env, "check")
    assert result.returncode != 0
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "STRIPE_SECRET_KEY",
                 "STRIPE_CONNECT_CLIENT_ID", "STRIPE_WEBHOOK_SECRET", "ACCOUNTING_TOKEN_KEY"):  # fmt: skip
        assert name in result.stderr, name


@pytest.mark.parametrize(
    "overrides, named",
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY of at least 50 characters"),
        ({"ALLOWED_HOSTS": []}, "ALLOWED_HOSTS"),
        ({"DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3"}}}, "DATABASE_URL"),
        ({"STRIPE_SECRET_KEY": ""}, "STRIPE_SECRET_KEY"),
        ({"STRIPE_CONNECT_CLIENT_ID": ""}, "STRIPE_CONNECT_CLIENT_ID"),
        ({"STRIPE_WEBHOOK_SECRET": []}, "STRIPE_WEBHOOK_SECRET"),
        ({"ACCOUNTING_TOKEN_KEY": ""}, "ACCOUNTING_TOKEN_KEY"),
        ({"DEBUG": True}, "DEBUG=false"),
    ],
)
def test_each_missing_setting_is_named(overrides, named):
    with pytest.raises(ImproperlyConfigured) as refused:
        apply_production_settings(settings_dict(**overrides))
    assert named in str(refused.value)


def test_a_complete_configuration_gets_https_only_cookies_hsts_and_csp():
    settings = settings_dict()
    apply_production_settings(settings)
    assert settings["SESSION_COOKIE_SECURE"] and settings["CSRF_COOKIE_SECURE"]
    assert settings["SECURE_SSL_REDIRECT"]
    assert settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert settings["SECURE_HSTS_SECONDS"] >= 31536000
    assert settings["SECURE_CSP"] is CSP_POLICY
    assert settings["LOGGING"]["handlers"]["console"]["formatter"] == "json"


def test_production_logs_are_json_lines_with_a_request_id():
    code = (
        "import logging, django; django.setup();"
        "logging.getLogger('firmpay.deploy').warning('hello %s', 'sk_live_abcdefghijkl')"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("STRIPE_", "DJANGO_", "DATABASE_URL"))
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **PRODUCTION_ENV},
                            timeout=60)  # fmt: skip
    import json

    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello [secret]"
    assert line["level"] == "WARNING" and line["request_id"] == "-"


def test_health_endpoints_are_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/clients/").status_code == 301
