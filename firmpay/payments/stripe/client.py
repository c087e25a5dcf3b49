"""The one StripeClient, built from settings. Never logs secrets."""

from __future__ import annotations

import functools

import stripe
from django.conf import settings

MAX_NETWORK_RETRIES = 2


def get_client() -> stripe.StripeClient:
    """The StripeClient for the current settings (rebuilt when they change, e.g. in tests)."""
    return _client(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_CONNECT_CLIENT_ID,
        settings.STRIPE_API_BASE,
    )


@functools.lru_cache(maxsize=4)
def _client(secret_key: str, client_id: str, api_base: str) -> stripe.StripeClient:
    base_addresses = {"api": api_base, "connect": api_base} if api_base else None
    return stripe.StripeClient(
        secret_key or "sk_test_missing",
        client_id=client_id or None,
        base_addresses=base_addresses,
        max_network_retries=MAX_NETWORK_RETRIES,
    )


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def dashboard_base_url() -> str:
    """Where a full-dashboard account signs in: the sandbox's dashboard when
    STRIPE_API_BASE is set, Stripe's otherwise."""
    if settings.STRIPE_API_BASE:
        return settings.STRIPE_API_BASE.rstrip("/") + "/dashboard/accounts/"
    return "https://dashboard.stripe.com/"


def payment_methods_settings_url(account_id: str) -> str:
    """Where the account turns payment methods (ACH, Bacs) on: its dashboard's Settings →
    Payment methods (the sandbox's own page when STRIPE_API_BASE is set)."""
    if settings.STRIPE_API_BASE:
        return f"{dashboard_base_url()}{account_id}/settings/payment_methods"
    return f"https://dashboard.stripe.com/{account_id}/settings/payment_methods"
