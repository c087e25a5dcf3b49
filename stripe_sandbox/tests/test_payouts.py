"""Payouts on a connected account: paid or failed by control calls, or paid on arrival."""

from __future__ import annotations

import pytest

from stripe_sandbox.tests.test_payments_helpers import (
    checkout,
    event_types,
    firm_account,
    pay,
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


def _paid_charge(stripe_sandbox, stripe_client, acct) -> str:
    session = checkout(stripe_client, acct)
    pay(stripe_sandbox, session.id, "card")
    options = {"stripe_account": acct}
    pi = stripe_client.v1.payment_intents.retrieve(
        stripe_client.v1.checkout.sessions.retrieve(session.id, options=options).payment_intent,
        options=options,
    )
    return pi.latest_charge


def test_available_payments_are_paid_out_automatically_the_next_day(
    stripe_sandbox, stripe_client, acct
):
    options = {"stripe_account": acct}
    first = _paid_charge(stripe_sandbox, stripe_client, acct)
    second = _paid_charge(stripe_sandbox, stripe_client, acct)
    stripe_client.v1.refunds.create(params={"charge": first, "amount": 5000}, options=options)

    stripe_sandbox.advance(days=2)
    assert stripe_client.v1.payouts.list(options=options).data == []  # available, not yet swept
    stripe_sandbox.advance(days=1)

    (payout,) = stripe_client.v1.payouts.list(options=options).data
    assert payout.automatic and payout.status == "pending"
    txns = stripe_client.v1.balance_transactions.list(
        params={"payout": payout.id, "limit": 100}, options=options
    ).data
    by_type = sorted(t.type for t in txns)
    assert by_type == ["charge", "charge", "payout", "refund"]
    contents = [t for t in txns if t.type != "payout"]
    # The payout is what the payments, less Stripe's and Firmpay's fees and the refund, left.
    assert payout.amount == sum(t.net for t in contents)
    assert all(t.fee > 0 for t in contents if t.type == "charge")
    assert {t.source for t in contents if t.type == "charge"} == {first, second}
    stripe_sandbox.advance(days=2)
    assert stripe_client.v1.payouts.retrieve(payout.id, options=options).status == "paid"
    assert event_types(stripe_client, acct)[-2:] == ["payout.created", "payout.paid"]


def test_a_payment_is_paid_out_once(stripe_sandbox, stripe_client, acct):
    options = {"stripe_account": acct}
    _paid_charge(stripe_sandbox, stripe_client, acct)
    stripe_sandbox.advance(days=3)
    _paid_charge(stripe_sandbox, stripe_client, acct)
    stripe_sandbox.advance(days=3)
    payouts = stripe_client.v1.payouts.list(options=options).data
    assert len(payouts) == 2
    seen = []
    for payout in payouts:
        txns = stripe_client.v1.balance_transactions.list(
            params={"payout": payout.id}, options=options
        ).data
        seen += [t.id for t in txns if t.type == "charge"]
    assert len(seen) == len(set(seen)) == 2


def test_control_sweeps_the_available_balance_now(stripe_sandbox, stripe_client, acct):
    _paid_charge(stripe_sandbox, stripe_client, acct)
    with pytest.raises(AssertionError, match="No available USD balance"):
        stripe_sandbox.control("POST", f"accounts/{acct}/payouts/sweep", {})
    stripe_sandbox.advance(days=2)
    made = stripe_sandbox.control("POST", f"accounts/{acct}/payouts/sweep", {})
    assert made["automatic"] is True and made["amount"] > 0


@pytest.mark.parametrize(
    ("method", "amount", "currency", "fee"),
    [
        ("card", 10000, "usd", 320),  # 2.9% + 30¢
        ("card", 10000, "gbp", 170),  # 1.5% + 20p
        ("us_bank_account", 10000, "usd", 80),  # 0.8%
        ("us_bank_account", 200000, "usd", 500),  # capped at $5
        ("bacs_debit", 5000, "gbp", 70),  # 1% + 20p
        ("bacs_debit", 100000, "gbp", 200),  # capped at £2
    ],
)
def test_stripe_fees_follow_the_method_and_country(method, amount, currency, fee):
    from stripe_sandbox.resources.payment_flow import stripe_fee

    assert stripe_fee(method, amount, currency) == fee
