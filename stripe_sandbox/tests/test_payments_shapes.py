"""Every payment resource the sandbox returns carries every top-level field
of Stripe's example object (fixtures3.json), in API answers and in events."""

from __future__ import annotations

from stripe_sandbox.tests.shapes import assert_shape
from stripe_sandbox.tests.test_payments_helpers import checkout, firm_account, pay


def test_payment_resources_match_the_fixtures(stripe_sandbox, stripe_client):
    acct = firm_account(stripe_sandbox, stripe_client)
    options = {"stripe_account": acct}
    session = checkout(stripe_client, acct)
    assert_shape(session, "checkout.session")
    items = stripe_client.v1.checkout.sessions.line_items.list(session.id, options=options)
    assert_shape(items.data[0], "item")
    pay(stripe_sandbox, session.id, "card", "decline")
    paid = pay(stripe_sandbox, session.id)
    pi = stripe_client.v1.payment_intents.retrieve(paid["payment_intent"]["id"], options=options)
    assert_shape(pi, "payment_intent")
    charge = stripe_client.v1.charges.retrieve(pi.latest_charge, options=options)
    assert_shape(charge, "charge")
    assert_shape(
        stripe_client.v1.payment_methods.retrieve(charge.payment_method, options=options),
        "payment_method",
    )
    assert_shape(
        stripe_client.v1.balance_transactions.retrieve(charge.balance_transaction, options=options),
        "balance_transaction",
    )
    fee = stripe_client.v1.application_fees.retrieve(charge.application_fee)
    assert_shape(fee, "application_fee")
    refund = stripe_client.v1.refunds.create(
        params={"charge": charge.id, "amount": 100, "refund_application_fee": True},
        options=options,
    )
    assert_shape(refund, "refund")
    assert_shape(stripe_client.v1.application_fees.retrieve(fee.id).refunds.data[0], "fee_refund")
    dispute = stripe_sandbox.control("POST", f"charges/{charge.id}/dispute", {})
    assert_shape(stripe_client.v1.disputes.retrieve(dispute["id"], options=options), "dispute")
    payout = stripe_sandbox.control("POST", f"accounts/{acct}/payouts", {"outcome": "paid"})
    assert_shape(stripe_client.v1.payouts.retrieve(payout["id"], options=options), "payout")
    debit = checkout(stripe_client, acct)
    pay(stripe_sandbox, debit.id, "us_bank_account", "fail_later")
    stripe_sandbox.advance(days=4)
    stripe_client.v1.checkout.sessions.expire(checkout(stripe_client, acct).id, options=options)
    events = stripe_client.v1.events.list(params={"limit": 100}, options=options)
    kinds = set()
    for event in events.data:
        assert_shape(event, "event")
        obj = event.data.object
        assert_shape(obj, obj.object)
        kinds.add(obj.object)
    assert {"checkout.session", "payment_intent", "charge", "refund", "dispute", "payout"} <= kinds
