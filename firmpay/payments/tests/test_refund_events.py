"""Refunds as Stripe sends them: each in its own refund.* event, the charge carrying only
its running total (no `refunds` inside since API 2022-11-15). A refund heard before its
payment waits, unplaced, and is placed once the payment arrives. Events come from the
sandbox's own event list (real shapes) and go through the processing service."""

from __future__ import annotations

import pytest

from firmpay.payments.online.checkout import checkout_start
from firmpay.payments.online.models import PaymentRefund
from firmpay.payments.services import payment_account_create, payment_account_refresh
from firmpay.payments.tests.online import deliver, sent_invoice

pytestmark = [pytest.mark.usefixtures("stripe_settings"), pytest.mark.django_db]

PAGE = "http://testserver/i/x/"


@pytest.fixture
def card_payment_refunded_in_stripe(stripe_sandbox, make_firm):
    """A card payment, then a partial refund the firm made in Stripe's dashboard (no
    metadata of ours on it). Returns (payment, refund id, the account's events oldest first)."""
    firm = make_firm()
    account = payment_account_create(firm=firm, actor=firm.owner)
    acct = account.stripe_account_id
    stripe_sandbox.control("POST", f"accounts/{acct}/state", {"state": "verified"})
    payment_account_refresh(account=account)
    payment = checkout_start(invoice=sent_invoice(firm), return_url=PAGE)
    paid = stripe_sandbox.control(
        "POST",
        f"checkout/sessions/{payment.checkout_session_id}/pay",
        {"method": "card", "outcome": "succeed"},
    )
    sdk = stripe_sandbox.client()
    options = {"stripe_account": acct}
    refund = sdk.v1.refunds.create(
        params={"payment_intent": paid["payment_intent"]["id"], "amount": 2500}, options=options
    )
    events = sdk.v1.events.list(params={"limit": 100}, options=options).data
    return payment, refund.id, [event.to_dict() for event in reversed(events)]


def test_charge_events_carry_no_refunds_and_each_refund_has_its_own_event(
    card_payment_refunded_in_stripe,
):
    _payment, refund_id, events = card_payment_refunded_in_stripe
    charges = [e["data"]["object"] for e in events if e["type"].startswith("charge.")]
    assert charges and all("refunds" not in charge for charge in charges)
    refunded = [e for e in events if e["type"] == "refund.created"]
    assert [e["data"]["object"]["id"] for e in refunded] == [refund_id]


def test_a_refund_heard_before_its_payment_is_placed_once_the_payment_arrives(
    card_payment_refunded_in_stripe,
):
    payment, refund_id, events = card_payment_refunded_in_stripe
    refund_first = [e for e in events if e["type"] == "refund.created"]
    the_rest = [e for e in events if e not in refund_first]
    for event in refund_first:
        deliver(event)
    row = PaymentRefund.objects.get(stripe_refund_id=refund_id)
    payment.refresh_from_db()
    assert (row.payment_id, row.amount, payment.status) == (None, 2500, "pending")

    for event in the_rest:
        deliver(event)
    row.refresh_from_db()
    payment.refresh_from_db()
    payment.invoice.refresh_from_db()
    assert row.payment_id == payment.pk
    assert (payment.status, payment.amount_refunded) == ("partially_refunded", 2500)
    assert (payment.invoice.status, payment.invoice.amount_paid) == ("partially_paid", 7500)
