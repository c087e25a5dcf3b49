"""The sandbox dashboard lists accounts, events and deliveries."""

from __future__ import annotations

from stripe_sandbox.tests.helpers import fetch
from stripe_sandbox.tests.test_accounts import create_account


def test_dashboard_lists_accounts_and_events(stripe_sandbox, stripe_client, webhook_receiver):
    stripe_client.v1.webhook_endpoints.create(
        params={"url": webhook_receiver.url, "enabled_events": ["*"], "connect": True}
    )
    account = create_account(stripe_client)
    stripe_sandbox.control("POST", f"accounts/{account.id}/state", {"state": "verified"})
    stripe_sandbox.drain()
    home = fetch(stripe_sandbox.base_url + "/dashboard")
    assert home.status == 200 and "Stripe sandbox" in home.text
    assert (
        account.id in home.text and "account.updated" in home.text and "succeeded (1)" in home.text
    )
    detail = fetch(f"{stripe_sandbox.base_url}/dashboard/accounts/{account.id}")
    assert "card_payments" in detail.text
    event = stripe_client.v1.events.list(options={"stripe_account": account.id}).data[0]
    page = fetch(f"{stripe_sandbox.base_url}/dashboard/events/{event.id}")
    assert "Attempts" in page.text and "we_" in page.text and "succeeded" in page.text


def test_unknown_page_is_an_html_404(stripe_sandbox):
    page = fetch(stripe_sandbox.base_url + "/dashboard/accounts/acct_nope")
    assert page.status == 404 and "Stripe sandbox" in page.text
