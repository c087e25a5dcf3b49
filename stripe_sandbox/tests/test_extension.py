"""The extension API, exercised by an example module (tests/example_module.py)."""

from __future__ import annotations

import json
import urllib.request

import pytest
import stripe

from stripe_sandbox import Config, Sandbox
from stripe_sandbox.modules import MODULES
from stripe_sandbox.tests.helpers import fetch


@pytest.fixture(scope="module")
def sandbox():
    sb = Sandbox(Config(port=0), modules=[*MODULES, "stripe_sandbox.tests.example_module"])
    sb.start()
    yield sb
    sb.stop()


@pytest.fixture
def client(sandbox):
    sandbox.reset()
    return stripe.StripeClient(
        sandbox.config.secret_key,
        base_addresses={"api": sandbox.base_url, "connect": sandbox.base_url},
    )


def connected(client):
    return client.v1.accounts.create(params={"email": "ext@firm.example"}).id


def test_module_routes_create_on_the_connected_account(client):
    acct = connected(client)
    payout = client.v1.payouts.create(
        params={"amount": 500, "currency": "usd"}, options={"stripe_account": acct}
    )
    assert payout.id.startswith("po_") and payout.status == "pending"
    assert client.v1.payouts.retrieve(payout.id, options={"stripe_account": acct}).amount == 500
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payouts.retrieve(payout.id)  # not the platform's
    events = client.v1.events.list(options={"stripe_account": acct}).data
    assert [(e.type, e.account) for e in events] == [("payout.created", acct)]


def test_card_errors_reach_the_sdk_as_card_errors(client):
    with pytest.raises(stripe.CardError) as caught:
        client.v1.payouts.create(params={"amount": 666, "currency": "usd"})
    assert caught.value.code == "card_declined"


def test_jobs_run_when_the_clock_passes_them(sandbox, client):
    acct = connected(client)
    payout = client.v1.payouts.create(
        params={"amount": 5, "currency": "usd"}, options={"stripe_account": acct}
    )
    request = urllib.request.Request(
        sandbox.base_url + "/_sandbox/clock/advance",
        data=json.dumps({"days": 1}).encode(),
        method="POST",
    )
    urllib.request.urlopen(request).read()
    assert client.v1.payouts.retrieve(payout.id, options={"stripe_account": acct}).status == "paid"
    paid = client.v1.events.list(params={"type": "payout.paid"}, options={"stripe_account": acct})
    assert paid.data[0].data.previous_attributes.status == "pending"


def test_module_controls_and_dashboard_section(sandbox, client):
    acct = connected(client)
    payout = client.v1.payouts.create(
        params={"amount": 7, "currency": "usd"}, options={"stripe_account": acct}
    )
    request = urllib.request.Request(
        f"{sandbox.base_url}/_sandbox/payouts/{payout.id}/fail", data=b"{}", method="POST"
    )
    assert json.loads(urllib.request.urlopen(request).read())["status"] == "failed"
    page = fetch(sandbox.base_url + "/dashboard")
    assert "Payouts (example)" in page.text and payout.id in page.text
