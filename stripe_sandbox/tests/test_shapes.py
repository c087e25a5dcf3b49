"""Every resource this part of the sandbox returns carries every top-level
field of Stripe's example object (fixtures3.json)."""

from __future__ import annotations

from stripe_sandbox.tests.helpers import onboard
from stripe_sandbox.tests.shapes import assert_shape
from stripe_sandbox.tests.test_accounts import create_account


def test_connect_resources_match_the_fixtures(stripe_sandbox, stripe_client):
    account = create_account(stripe_client)
    assert_shape(account, "account")
    assert_shape(stripe_client.v1.accounts.retrieve(account.id), "account")
    assert_shape(stripe_client.v1.accounts.retrieve_current(), "account")
    assert_shape(
        stripe_client.v1.accounts.capabilities.retrieve(account.id, "card_payments"), "capability"
    )
    link = stripe_client.v1.account_links.create(
        params={
            "account": account.id,
            "type": "account_onboarding",
            "refresh_url": "http://127.0.0.1:9/r",
            "return_url": "http://127.0.0.1:9/x",
        }
    )
    assert_shape(link, "account_link")
    onboard(stripe_sandbox.base_url, link.url)
    onboarded = stripe_client.v1.accounts.retrieve(account.id)
    assert_shape(onboarded, "account")
    assert_shape(onboarded.external_accounts.data[0], "bank_account")
    express = stripe_client.v1.accounts.create(
        params={"controller": {"stripe_dashboard": {"type": "express"}}}
    )
    assert_shape(stripe_client.v1.accounts.login_links.create(express.id), "login_link")
    assert_shape(stripe_client.v1.accounts.delete(express.id), "deleted_account")


def test_events_and_webhook_endpoints_match_the_fixtures(stripe_sandbox, stripe_client):
    endpoint = stripe_client.v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:9/h", "enabled_events": ["*"], "connect": True}
    )
    assert_shape(endpoint, "webhook_endpoint")
    assert_shape(stripe_client.v1.webhook_endpoints.retrieve(endpoint.id), "webhook_endpoint")
    account = create_account(stripe_client)
    stripe_sandbox.control("POST", f"accounts/{account.id}/state", {"state": "verified"})
    events = stripe_client.v1.events.list(options={"stripe_account": account.id})
    for event in events.data:
        assert_shape(event, "event")
        assert_shape(event.data.object, event.data.object.object)
    assert_shape(stripe_client.v1.webhook_endpoints.delete(endpoint.id), "deleted_webhook_endpoint")
