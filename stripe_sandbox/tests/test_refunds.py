"""Refunds: full, partial, by payment intent or charge, too much, bank debits."""

from __future__ import annotations

import pytest
import stripe

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


@pytest.fixture
def paid(stripe_sandbox, stripe_client, acct) -> dict:
    return pay(stripe_sandbox, checkout(stripe_client, acct).id)


def test_full_refund(stripe_client, acct, paid):
    options = {"stripe_account": acct}
    refund = stripe_client.v1.refunds.create(
        params={
            "payment_intent": paid["payment_intent"]["id"],
            "reason": "requested_by_customer",
            "metadata": {"firmpay_refund_id": "7"},
        },
        options=options,
    )
    assert refund.id.startswith("re_")
    assert (refund.amount, refund.status, refund.reason) == (
        25000,
        "succeeded",
        "requested_by_customer",
    )
    assert refund.charge == paid["charge"]["id"]
    assert refund.metadata.firmpay_refund_id == "7"
    charge = stripe_client.v1.charges.retrieve(refund.charge, options=options)
    assert (charge.amount_refunded, charge.refunded) == (25000, True)
    assert "refunds" not in charge  # not embedded since API 2022-11-15
    listed = stripe_client.v1.refunds.list(params={"charge": charge.id}, options=options)
    assert [r.id for r in listed.data] == [refund.id]
    assert event_types(stripe_client, acct)[-2:] == ["refund.created", "charge.refunded"]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"charge": charge.id}, options=options)
    assert caught.value.code == "charge_already_refunded"


def test_partial_refunds_then_too_much(stripe_client, acct, paid):
    options = {"stripe_account": acct}
    charge_id = paid["charge"]["id"]
    stripe_client.v1.refunds.create(params={"charge": charge_id, "amount": 10000}, options=options)
    stripe_client.v1.refunds.create(
        params={"payment_intent": paid["payment_intent"]["id"], "amount": 5000}, options=options
    )
    charge = stripe_client.v1.charges.retrieve(charge_id, options=options)
    assert (charge.amount_refunded, charge.refunded) == (15000, False)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(
            params={"charge": charge_id, "amount": 10001}, options=options
        )
    assert caught.value.code == "amount_too_large" and caught.value.param == "amount"
    last = stripe_client.v1.refunds.create(params={"charge": charge_id}, options=options)
    assert last.amount == 10000
    listed = stripe_client.v1.refunds.list(params={"charge": charge_id}, options=options)
    assert [r.amount for r in listed.data] == [10000, 5000, 10000]


def test_refund_application_fee_in_proportion(stripe_client, acct, paid):
    stripe_client.v1.refunds.create(
        params={
            "payment_intent": paid["payment_intent"]["id"],
            "amount": 12500,
            "refund_application_fee": True,
        },
        options={"stripe_account": acct},
    )
    fee = stripe_client.v1.application_fees.retrieve(paid["charge"]["application_fee"])
    assert (fee.amount_refunded, fee.refunded) == (125, False)
    assert fee.refunds.data[0].amount == 125


def test_only_succeeded_payments_refund(stripe_sandbox, stripe_client, acct):
    options = {"stripe_account": acct}
    session = checkout(stripe_client, acct)
    pi_id = pay(stripe_sandbox, session.id, "us_bank_account")["payment_intent"]["id"]
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"payment_intent": pi_id}, options=options)
    assert "does not have a successful charge" in caught.value.user_message
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"payment_intent": "pi_nope"}, options=options)
    assert caught.value.code == "resource_missing"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"amount": 5}, options=options)
    assert caught.value.code == "parameter_missing"


def test_bank_debit_refunds_are_pending_until_the_clock_settles_them(
    stripe_sandbox, stripe_client, acct
):
    options = {"stripe_account": acct}
    session = checkout(stripe_client, acct)
    pi_id = pay(stripe_sandbox, session.id, "us_bank_account")["payment_intent"]["id"]
    stripe_sandbox.control("POST", f"payment_intents/{pi_id}/settle")
    refund = stripe_client.v1.refunds.create(params={"payment_intent": pi_id}, options=options)
    assert refund.status == "pending"
    stripe_sandbox.advance(days=4)
    assert stripe_client.v1.refunds.retrieve(refund.id, options=options).status == "succeeded"
    assert event_types(stripe_client, acct)[-2:] == ["refund.updated", "charge.refund.updated"]


def test_refunds_are_scoped_and_idempotent(stripe_client, acct, paid):
    options = {"stripe_account": acct, "idempotency_key": "refund-7"}
    params = {"payment_intent": paid["payment_intent"]["id"], "amount": 100}
    first = stripe_client.v1.refunds.create(params=params, options=options)
    again = stripe_client.v1.refunds.create(params=params, options=options)
    assert first.id == again.id
    charge = stripe_client.v1.charges.retrieve(first.charge, options={"stripe_account": acct})
    assert charge.amount_refunded == 100
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.refunds.retrieve(first.id)  # the platform cannot see it
    updated = stripe_client.v1.refunds.update(
        first.id, params={"metadata": {"note": "x"}}, options={"stripe_account": acct}
    )
    assert updated.metadata.note == "x"


def test_refund_webhooks_verify(stripe_sandbox, stripe_client, acct, webhook_receiver):
    session = checkout(stripe_client, acct)
    paid = pay(stripe_sandbox, session.id)
    secret = webhook_endpoint(stripe_client, webhook_receiver.url)
    stripe_client.v1.refunds.create(
        params={"payment_intent": paid["payment_intent"]["id"], "amount": 500},
        options={"stripe_account": acct},
    )
    events = verified_events(stripe_client, webhook_receiver, secret, 2)
    assert sorted(e.type for e in events) == ["charge.refunded", "refund.created"]
    charge = next(e for e in events if e.type == "charge.refunded").data.object
    assert charge.amount_refunded == 500 and "refunds" not in charge
    refund = next(e for e in events if e.type == "refund.created").data.object
    assert refund.amount == 500 and refund.charge == charge.id
