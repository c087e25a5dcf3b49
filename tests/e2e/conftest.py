"""Fixtures the end-to-end journeys share: the live server pointed at the Stripe sandbox
with its webhook endpoint registered there (`stripe_live_app`, see tests/stripe_fixtures.py)."""

from tests.stripe_fixtures import (  # noqa: F401 - fixtures
    stripe_live_app,
    stripe_settings,
    stripe_webhook_secrets,
)
