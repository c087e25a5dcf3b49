"""Payouts on a connected account: paid or failed by control calls, or paid on arrival."""

from __future__ import annotations

import pytest

from stripe_sandbox.tests.test_payments_helpers import (
    event_types,
    firm_account,
    verified_events,
    webhook_endpoint,
)


@pytest.fixture
def acct(stripe_sandbox, stripe_client) -> str:
    return firm_account(stripe_sandbox, stripe_client)


def test_control_makes_a_paid_payout(stripe_sandbox, stripe_client, acct):
    made = stripe_sandbox.control(
        "POST", f"accounts/{acct}/payouts", {"amount": 12000, "outcome": "paid"}
    )
    payout = stripe_client.v1.payouts.retrieve(made["id"], options={"stripe_account": acct})
    assert payout.id.startswith("po_")
    assert (payout.status, payout.amount, payout.currency) == ("paid", 12000, "usd")
    assert payout.destination  # the account's bank account
    assert event_types(stripe_client, acct)[-2:] == ["payout.created", "payout.paid"]


def test_control_makes_a_failed_payout(stripe_sandbox, stripe_client, acct):
    made = stripe_sandbox.control(
        "POST",
        f"accounts/{acct}/payouts",
        {"amount": 500, "outcome": "failed", "failure_code": "account_closed"},
    )
    payout = stripe_client.v1.payouts.retrieve(made["id"], options={"stripe_account": acct})
    assert (payout.status, payout.failure_code) == ("failed", "account_closed")
    assert payout.failure_message and payout.failure_balance_transaction
    assert event_types(stripe_client, acct)[-1] == "payout.failed"
    with pytest.raises(AssertionError, match="Unknown payout failure code"):
        stripe_sandbox.control(
            "POST", f"accounts/{acct}/payouts", {"outcome": "failed", "failure_code": "nope"}
        )


def test_api_payouts_are_paid_on_arrival_or_by_control(stripe_sandbox, stripe_client, acct):
    options = {"stripe_account": acct}
    first = stripe_client.v1.payouts.create(
        params={"amount": 1000, "currency": "usd"}, options=options
    )
    second = stripe_client.v1.payouts.create(
        params={"amount": 2000, "currency": "usd"}, options=options
    )
    assert first.status == "pending" and first.arrival_date - first.created == 2 * 86400
    stripe_sandbox.control("POST", f"payouts/{second.id}/outcome", {"outcome": "failed"})
    stripe_sandbox.advance(days=2)
    assert stripe_client.v1.payouts.retrieve(first.id, options=options).status == "paid"
    assert stripe_client.v1.payouts.retrieve(second.id, options=options).status == "failed"
    failed = stripe_client.v1.payouts.list(params={"status": "failed"}, options=options)
    assert [p.id for p in failed.data] == [second.id]
    assert len(stripe_client.v1.payouts.list(options=options).data) == 2
    assert stripe_client.v1.payouts.list().data == []


def test_payout_webhooks_verify(stripe_sandbox, stripe_client, acct, webhook_receiver):
    secret = webhook_endpoint(stripe_client, webhook_receiver.url)
    stripe_sandbox.control("POST", f"accounts/{acct}/payouts", {"outcome": "failed"})
    events = verified_events(stripe_client, webhook_receiver, secret, 2)
    assert sorted(e.type for e in events) == ["payout.created", "payout.failed"]
    failed = next(e for e in events if e.type == "payout.failed")
    assert failed.account == acct and failed.data.object.failure_code == "could_not_process"
