"""Shared Stripe test setup: the app's Stripe settings pointed at the in-process sandbox
(real SDK over HTTP, nothing patched) and, for live-server tests, Firmpay's webhook endpoint
registered in the sandbox with deliveries held until the test releases them.

A conftest imports the fixtures it uses (`from tests.stripe_fixtures import stripe_settings`)
together with `stripe_webhook_secrets`, or defines its own `stripe_webhook_secrets` when the
requests its tests post are signed with a secret of their own."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture
def stripe_webhook_secrets() -> list[str]:
    """The webhook signing secrets the app accepts besides the one `stripe_setup` stores."""
    return []


@pytest.fixture
def stripe_settings(settings, stripe_sandbox, tmp_path, stripe_webhook_secrets):
    settings.STRIPE_API_BASE = stripe_sandbox.base_url
    settings.STRIPE_SECRET_KEY = stripe_sandbox.secret_key
    settings.STRIPE_CONNECT_CLIENT_ID = stripe_sandbox.client_id
    settings.STRIPE_WEBHOOK_SECRET = list(stripe_webhook_secrets)
    settings.STRIPE_WEBHOOK_SECRET_FILE = str(tmp_path / "stripe_webhook_secret")
    settings.STRIPE_SANDBOX_MODE = True
    return settings


@pytest.fixture
def stripe_live_app(live_server, stripe_settings, stripe_sandbox) -> str:
    """The live server pointed at the sandbox, its webhook endpoint registered there
    (`manage.py stripe_setup`), deliveries held (see `deliver_webhooks`)."""
    call_command("stripe_setup", url=f"{live_server.url}/webhooks/stripe/")
    hold_webhooks(stripe_sandbox)
    return live_server.url


def hold_webhooks(stripe_sandbox) -> None:
    stripe_sandbox.control("POST", "faults", {"events": {"mode": "shuffle", "count": 100_000}})


def deliver_webhooks(stripe_sandbox) -> None:
    """Release the held events (shuffled), wait for every delivery, hold the next ones."""
    stripe_sandbox.control("DELETE", "faults")
    stripe_sandbox.drain()
    hold_webhooks(stripe_sandbox)
