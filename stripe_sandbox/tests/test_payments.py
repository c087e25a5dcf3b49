"""Paying a Checkout Session: cards at once, bank debits settled or failed
later; payment intents, charges, balance transactions, application fees and
the events, as Stripe sends them."""

from __future__ import annotations

import threading

import pytest
import stripe

from stripe_sandbox.tests.test_payments_helpers import (
    checkout,
    event_types,
    firm_account,
    gbp_params,
    pay,
    verified_events,
    webhook_endpoint,
)


@pytest.fixture
def acct(stripe_sandbox, stripe_client) -> str:
    return firm_account(stripe_sandbox, stripe_client)


@pytest.fixture
def uk(stripe_sandbox, stripe_client) -> str:
    return firm_account(stripe_sandbox, stripe_client, country="GB", name="Ledger UK")


def payment_events(client, acct: str) -> list[str]:
    return [
        t
        for t in event_types(client, acct)
        if t.split(".")[0] in ("checkout", "payment_intent", "charge", "payout")
    ]


def test_card_payment_succeeds_at_once(stripe_sandbox, stripe_client, acct):
    options = {"stripe_account": acct}
    session = checkout(stripe_client, acct)
    answer = pay(stripe_sandbox, session.id, "card")
    assert answer["redirect"] == f"http://127.0.0.1:9/paid?session={session.id}"
    session = stripe_client.v1.checkout.sessions.retrieve(session.id, options=options)
    assert (session.status, session.payment_status) == ("complete", "paid")
    pi = stripe_client.v1.payment_intents.retrieve(session.payment_intent, options=options)
    assert pi.status == "succeeded" and pi.amount_received == 25000
    assert pi.application_fee_amount == 250
    assert pi.metadata.to_dict() == {"firmpay_payment_id": "42"}
    charge = stripe_client.v1.charges.retrieve(pi.latest_charge, options=options)
    assert (charge.status, charge.paid, charge.amount_refunded, charge.refunded) == (
        "succeeded",
        True,
        0,
        False,
    )
    assert charge.payment_method_details.type == "card"
    assert charge.payment_method_details.card.last4 == "4242"
    assert charge.payment_intent == pi.id and charge.failure_code is None
    txn = stripe_client.v1.balance_transactions.retrieve(
        charge.balance_transaction, options=options
    )
    assert txn.source == charge.id and txn.amount == 25000
    assert txn.fee == 250 + round(25000 * 0.029) + 30 and txn.net == 25000 - txn.fee
    assert {d.type for d in txn.fee_details} == {"stripe_fee", "application_fee"}
    assert payment_events(stripe_client, acct) == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]
    completed = stripe_client.v1.events.list(
        params={"type": "checkout.session.completed"}, options=options
    ).data[0]
    assert completed.account == acct
    assert completed.data.object.payment_status == "paid"


def test_application_fee_lands_on_the_platform(stripe_sandbox, stripe_client, acct):
    session = checkout(stripe_client, acct)
    charge = pay(stripe_sandbox, session.id)["charge"]
    fees = stripe_client.v1.application_fees.list(params={"charge": charge["id"]})
    assert len(fees.data) == 1
    fee = fees.data[0]
    assert fee.id == charge["application_fee"]
    assert (fee.account, fee.amount, fee.currency, fee.charge) == (acct, 250, "usd", charge["id"])
    assert stripe_client.v1.application_fees.retrieve(fee.id).amount == 250
    platform_txn = stripe_client.v1.balance_transactions.retrieve(fee.balance_transaction)
    assert (platform_txn.type, platform_txn.amount) == ("application_fee", 250)
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.application_fees.list(options={"stripe_account": acct})


def test_declined_card_keeps_the_session_open_then_a_good_card_pays(
    stripe_sandbox, stripe_client, acct
):
    options = {"stripe_account": acct}
    session = checkout(stripe_client, acct)
    declined = pay(stripe_sandbox, session.id, "card", "decline")
    assert declined["redirect"] is None
    assert declined["charge"]["failure_code"] == "card_declined"
    assert declined["session"]["status"] == "open"
    pi = stripe_client.v1.payment_intents.retrieve(
        declined["payment_intent"]["id"], options=options
    )
    assert pi.status == "requires_payment_method"
    assert pi.last_payment_error.code == "card_declined"
    assert pi.last_payment_error.payment_method.type == "card"
    poor = pay(stripe_sandbox, session.id, "card", "insufficient_funds")
    assert poor["charge"]["outcome"]["reason"] == "insufficient_funds"
    assert poor["payment_intent"]["id"] == pi.id  # one intent, several attempts
    pay(stripe_sandbox, session.id, "card")
    pi = stripe_client.v1.payment_intents.retrieve(pi.id, options=options)
    assert pi.status == "succeeded" and pi.last_payment_error is None
    charges = stripe_client.v1.charges.list(params={"payment_intent": pi.id}, options=options)
    assert [c.status for c in charges.data] == ["succeeded", "failed", "failed"]
    assert payment_events(stripe_client, acct) == [
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
        "charge.failed",
        "payment_intent.payment_failed",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]
    with pytest.raises(AssertionError, match="not open"):
        pay(stripe_sandbox, session.id, "card")


def test_ach_debit_processes_then_settles_after_four_days(stripe_sandbox, stripe_client, acct):
    options = {"stripe_account": acct}
    session = checkout(stripe_client, acct)
    answer = pay(stripe_sandbox, session.id, "us_bank_account")
    assert answer["session"]["status"] == "complete"
    assert answer["session"]["payment_status"] == "unpaid"
    assert answer["charge"]["status"] == "pending" and not answer["charge"]["paid"]
    pi_id = answer["payment_intent"]["id"]
    assert answer["payment_intent"]["status"] == "processing"
    stripe_sandbox.advance(days=3, hours=23)
    assert stripe_client.v1.payment_intents.retrieve(pi_id, options=options).status == "processing"
    stripe_sandbox.advance(hours=1)
    pi = stripe_client.v1.payment_intents.retrieve(pi_id, options=options)
    assert pi.status == "succeeded" and pi.amount_received == 25000
    charge = stripe_client.v1.charges.retrieve(pi.latest_charge, options=options)
    assert charge.status == "succeeded" and charge.paid and charge.balance_transaction
    assert charge.payment_method_details.type == "us_bank_account"
    session = stripe_client.v1.checkout.sessions.retrieve(session.id, options=options)
    assert session.payment_status == "paid"
    assert payment_events(stripe_client, acct) == [
        "payment_intent.created",
        "charge.pending",
        "payment_intent.processing",
        "checkout.session.completed",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.async_payment_succeeded",
    ]


def test_ach_debit_that_fails_later(stripe_sandbox, stripe_client, acct):
    options = {"stripe_account": acct}
    session = checkout(stripe_client, acct)
    pi_id = pay(stripe_sandbox, session.id, "us_bank_account", "fail_later")["payment_intent"]["id"]
    stripe_sandbox.advance(days=4)
    pi = stripe_client.v1.payment_intents.retrieve(pi_id, options=options)
    assert pi.status == "requires_payment_method"
    assert pi.last_payment_error.code == "account_closed"
    charge = stripe_client.v1.charges.retrieve(pi.latest_charge, options=options)
    assert (charge.status, charge.failure_code) == ("failed", "account_closed")
    assert charge.failure_message
    assert payment_events(stripe_client, acct)[-3:] == [
        "charge.failed",
        "payment_intent.payment_failed",
        "checkout.session.async_payment_failed",
    ]


def test_control_calls_settle_or_fail_a_debit_now(stripe_sandbox, stripe_client, acct):
    options = {"stripe_account": acct}
    good, bad = checkout(stripe_client, acct), checkout(stripe_client, acct)
    good_pi = pay(stripe_sandbox, good.id, "us_bank_account")["payment_intent"]["id"]
    bad_pi = pay(stripe_sandbox, bad.id, "us_bank_account")["payment_intent"]["id"]
    assert stripe_sandbox.control("POST", f"payment_intents/{good_pi}/settle")["status"] == (
        "succeeded"
    )
    failed = stripe_sandbox.control(
        "POST", f"payment_intents/{bad_pi}/fail", {"failure_code": "insufficient_funds"}
    )
    assert failed["last_payment_error"]["code"] == "insufficient_funds"
    stripe_sandbox.advance(days=5)  # the scheduled settlements were cancelled
    assert stripe_client.v1.payment_intents.retrieve(good_pi, options=options).status == (
        "succeeded"
    )
    assert stripe_client.v1.payment_intents.retrieve(bad_pi, options=options).status == (
        "requires_payment_method"
    )
    with pytest.raises(AssertionError, match="only a processing bank debit"):
        stripe_sandbox.control("POST", f"payment_intents/{good_pi}/settle")


def test_bacs_debit_settles_after_three_days(stripe_sandbox, stripe_client, uk):
    options = {"stripe_account": uk}
    session = stripe_client.v1.checkout.sessions.create(params=gbp_params(), options=options)
    pi_id = pay(stripe_sandbox, session.id, "bacs_debit")["payment_intent"]["id"]
    stripe_sandbox.advance(days=3)
    pi = stripe_client.v1.payment_intents.retrieve(pi_id, options=options)
    assert (pi.status, pi.currency) == ("succeeded", "gbp")
    charge = stripe_client.v1.charges.retrieve(pi.latest_charge, options=options)
    assert charge.payment_method_details.type == "bacs_debit"
    assert charge.payment_method_details.bacs_debit.sort_code == "108800"
    assert event_types(stripe_client, uk, type="checkout.session.async_payment_succeeded")


def test_bacs_debit_that_fails_later(stripe_sandbox, stripe_client, uk):
    options = {"stripe_account": uk}
    session = stripe_client.v1.checkout.sessions.create(params=gbp_params(), options=options)
    pi_id = pay(stripe_sandbox, session.id, "bacs_debit", "fail_later")["payment_intent"]["id"]
    stripe_sandbox.advance(days=3)
    charge = stripe_client.v1.charges.list(params={"payment_intent": pi_id}, options=options)
    assert charge.data[0].failure_code == "insufficient_funds"
    assert event_types(stripe_client, uk, type="checkout.session.async_payment_failed")


def test_a_settled_debit_can_be_returned_as_a_failure(stripe_sandbox, stripe_client, acct):
    options = {"stripe_account": acct}
    session = checkout(stripe_client, acct)
    pi_id = pay(stripe_sandbox, session.id, "us_bank_account")["payment_intent"]["id"]
    with pytest.raises(AssertionError, match="succeeded bank debit"):
        stripe_sandbox.control("POST", f"payment_intents/{pi_id}/return")
    stripe_sandbox.control("POST", f"payment_intents/{pi_id}/settle")
    charge = stripe_sandbox.control(
        "POST", f"payment_intents/{pi_id}/return", {"failure_code": "insufficient_funds"}
    )
    assert (charge["status"], charge["failure_code"]) == ("failed", "insufficient_funds")
    txn = stripe_client.v1.balance_transactions.retrieve(
        charge["failure_balance_transaction"], options=options
    )
    assert (txn.type, txn.amount) == ("payment_failure_refund", -25000)
    assert event_types(stripe_client, acct)[-1] == "charge.failed"


def test_a_settled_debit_can_be_returned_as_a_dispute(stripe_sandbox, stripe_client, acct):
    session = checkout(stripe_client, acct)
    pi_id = pay(stripe_sandbox, session.id, "us_bank_account")["payment_intent"]["id"]
    stripe_sandbox.control("POST", f"payment_intents/{pi_id}/settle")
    dispute = stripe_sandbox.control("POST", f"payment_intents/{pi_id}/return", {"as": "dispute"})
    assert (dispute["reason"], dispute["status"]) == ("debit_not_authorized", "needs_response")
    assert dispute["payment_intent"] == pi_id
    assert "charge.dispute.created" in event_types(stripe_client, acct)


def test_pay_refuses_what_the_session_does_not_offer(stripe_sandbox, stripe_client, acct):
    session = checkout(stripe_client, acct, allowed_payment_method_types=["card"])
    with pytest.raises(AssertionError, match="does not offer"):
        pay(stripe_sandbox, session.id, "us_bank_account")
    with pytest.raises(AssertionError, match="does not apply"):
        pay(stripe_sandbox, session.id, "card", "fail_later")
    stripe_client.v1.checkout.sessions.expire(session.id, options={"stripe_account": acct})
    with pytest.raises(AssertionError, match="expired"):
        pay(stripe_sandbox, session.id, "card")


def test_expiring_after_a_decline_cancels_the_intent(stripe_sandbox, stripe_client, acct):
    session = checkout(stripe_client, acct)
    pi_id = pay(stripe_sandbox, session.id, "card", "decline")["payment_intent"]["id"]
    stripe_client.v1.checkout.sessions.expire(session.id, options={"stripe_account": acct})
    pi = stripe_client.v1.payment_intents.retrieve(pi_id, options={"stripe_account": acct})
    assert pi.status == "canceled"


def test_lists_and_expand(stripe_sandbox, stripe_client, acct):
    options = {"stripe_account": acct}
    for _ in range(2):
        pay(stripe_sandbox, checkout(stripe_client, acct).id)
    intents = stripe_client.v1.payment_intents.list(
        params={"expand": ["data.latest_charge"]}, options=options
    )
    assert len(intents.data) == 2
    assert all(pi.latest_charge.status == "succeeded" for pi in intents.data)
    assert len(stripe_client.v1.charges.list(options=options).data) == 2
    txns = stripe_client.v1.balance_transactions.list(params={"type": "charge"}, options=options)
    assert len(txns.data) == 2
    assert stripe_client.v1.payment_intents.list().data == []  # the platform's own
    charge = stripe_client.v1.charges.retrieve(
        intents.data[0].latest_charge.id,
        params={"expand": ["balance_transaction", "payment_intent"]},
        options=options,
    )
    assert charge.balance_transaction.net > 0 and charge.payment_intent.status == "succeeded"


def test_every_payment_webhook_verifies(stripe_sandbox, stripe_client, acct, webhook_receiver):
    secret = webhook_endpoint(stripe_client, webhook_receiver.url)
    card, debit = checkout(stripe_client, acct), checkout(stripe_client, acct)
    pay(stripe_sandbox, card.id, "card", "decline")
    pay(stripe_sandbox, card.id, "card")
    pay(stripe_sandbox, debit.id, "us_bank_account")
    stripe_sandbox.advance(days=4)
    stripe_sandbox.drain()
    expected = payment_events(stripe_client, acct)  # account events came before the endpoint
    events = verified_events(stripe_client, webhook_receiver, secret, len(expected))
    assert sorted(e.type for e in events) == sorted(expected)
    assert all(e.account == acct for e in events)
    completed = [e for e in events if e.type == "checkout.session.completed"]
    assert sorted(e.data.object.payment_status for e in completed) == ["paid", "unpaid"]


def test_paying_one_session_twice_at_once_charges_once(stripe_sandbox, stripe_client, acct):
    session = checkout(stripe_client, acct)
    results: list[str] = []

    def attempt() -> None:
        try:
            pay(stripe_sandbox, session.id)
            results.append("paid")
        except AssertionError:
            results.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["paid", "refused", "refused", "refused"]
    charges = stripe_client.v1.charges.list(options={"stripe_account": acct})
    assert [c.status for c in charges.data] == ["succeeded"]
