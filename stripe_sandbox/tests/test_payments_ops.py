"""Payments outside the API: the sandbox dashboard lists them, and a file-backed
sandbox keeps a processing debit (and its settlement) across a restart."""

from __future__ import annotations

import json
import urllib.request

import stripe

from stripe_sandbox import Config, Sandbox
from stripe_sandbox.tests.helpers import fetch
from stripe_sandbox.tests.test_payments_helpers import checkout, firm_account, pay


def test_dashboard_lists_sessions_payments_and_charges(stripe_sandbox, stripe_client):
    acct = firm_account(stripe_sandbox, stripe_client)
    session = checkout(stripe_client, acct)
    paid = pay(stripe_sandbox, session.id)
    page = fetch(f"{stripe_sandbox.base_url}/dashboard/accounts/{acct}")
    assert "Checkout sessions" in page.text and session.id in page.text
    assert paid["payment_intent"]["id"] in page.text and paid["charge"]["id"] in page.text
    assert "checkout.session.completed" in page.text


class _Handle:
    """Just enough of the pytest plugin's handle for the shared helpers."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb

    def control(self, method: str, path: str, body=None):
        request = urllib.request.Request(
            f"{self.sb.base_url}/_sandbox/{path}",
            data=json.dumps(body or {}).encode(),
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback
            return json.loads(response.read())


def test_a_processing_debit_settles_after_a_restart(tmp_path):
    path = str(tmp_path / "sandbox.sqlite3")
    first = Sandbox(Config(port=0, data=path, verification_delay=None))
    first.start()
    client = stripe.StripeClient(
        first.config.secret_key, base_addresses={"api": first.base_url, "connect": first.base_url}
    )
    acct = firm_account(_Handle(first), client)
    session = checkout(client, acct)
    pi_id = pay(_Handle(first), session.id, "us_bank_account")["payment_intent"]["id"]
    first.stop()

    second = Sandbox(Config(port=0, data=path, verification_delay=None))
    second.start()
    try:
        client = stripe.StripeClient(
            second.config.secret_key,
            base_addresses={"api": second.base_url, "connect": second.base_url},
        )
        options = {"stripe_account": acct}
        assert client.v1.payment_intents.retrieve(pi_id, options=options).status == "processing"
        second.advance(4 * 86400)
        assert client.v1.payment_intents.retrieve(pi_id, options=options).status == "succeeded"
    finally:
        second.stop()
