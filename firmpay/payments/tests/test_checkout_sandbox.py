"""Online payments against the Stripe sandbox (real SDK over HTTP, nothing patched): the
session Stripe gets, two simultaneous clicks, two payments that both succeed (an
overpayment and its refund), disconnect. Events are read back from the sandbox's event
list and fed through the processing service, as the webhook would."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from firmpay.payments.online.checkout import checkout_start
from firmpay.payments.online.models import OnlinePayment
from firmpay.payments.online.refunds import payment_refund_create
from firmpay.payments.online.selectors import invoice_overpayment
from firmpay.payments.services import payment_account_create, payment_account_refresh
from firmpay.payments.tests.online import deliver, sent_invoice

PAGE = "http://testserver/i/x/"


@pytest.fixture
def live_firm(stripe_settings, stripe_sandbox, make_firm):
    firm = make_firm()
    account = payment_account_create(firm=firm, actor=firm.owner)
    stripe_sandbox.control(
        "POST", f"accounts/{account.stripe_account_id}/state", {"state": "verified"}
    )
    payment_account_refresh(account=account)
    return firm, account


def feed_events(stripe_sandbox, account_id: str, seen: set) -> None:
    """Every event of the connected account not fed yet, oldest first, through the service."""
    client = stripe_sandbox.client()
    events = client.v1.events.list(params={"limit": 100}, options={"stripe_account": account_id})
    for event in reversed(events.data):
        if event.id not in seen:
            seen.add(event.id)
            deliver(event.to_dict())


def pay(stripe_sandbox, payment: OnlinePayment, method="card", outcome="succeed") -> dict:
    return stripe_sandbox.control(
        "POST",
        f"checkout/sessions/{payment.checkout_session_id}/pay",
        {"method": method, "outcome": outcome},
    )


def test_the_session_stripe_gets(live_firm, stripe_sandbox):
    firm, account = live_firm
    invoice = sent_invoice(firm)
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    session = stripe_sandbox.client().v1.checkout.sessions.retrieve(
        payment.checkout_session_id, options={"stripe_account": account.stripe_account_id}
    )
    assert session.amount_total == 10000 and session.currency == "usd"
    assert session.payment_method_types == ["card", "us_bank_account"]
    assert session.metadata["firmpay_payment_id"] == str(payment.pk)
    assert session.success_url == f"{PAGE}paid/{payment.pk}/" and session.cancel_url == PAGE
    paid = pay(stripe_sandbox, payment)
    assert paid["payment_intent"]["application_fee_amount"] == 75
    assert paid["payment_intent"]["metadata"]["firmpay_invoice_id"] == str(invoice.pk)


def test_reusing_an_open_session_costs_no_call_and_a_card_payment_pays(live_firm, stripe_sandbox):
    firm, account = live_firm
    invoice = sent_invoice(firm)
    first = checkout_start(invoice=invoice, return_url=PAGE)
    assert checkout_start(invoice=invoice, return_url=PAGE).pk == first.pk
    pay(stripe_sandbox, first)
    feed_events(stripe_sandbox, account.stripe_account_id, set())
    invoice.refresh_from_db()
    first.refresh_from_db()
    assert (invoice.status, first.status, first.method) == ("paid", "succeeded", "card")


def test_two_successful_payments_are_an_overpayment_with_a_working_refund(
    live_firm, stripe_sandbox, django_capture_on_commit_callbacks
):
    """Two tabs: the first session could not be expired when the second was made (Stripe
    was down for that call), and the client paid both."""
    firm, account = live_firm
    invoice = sent_invoice(firm)
    first = checkout_start(invoice=invoice, return_url=PAGE)
    OnlinePayment.objects.filter(pk=first.pk).update(session_expires_at=first.created_at)
    with django_capture_on_commit_callbacks() as after_commit:
        second = checkout_start(invoice=invoice, return_url=PAGE)
    assert second.pk != first.pk
    stripe_sandbox.control("POST", "faults", {"api": {"mode": "500", "count": 3}})
    for callback in after_commit:
        callback()  # expiring the first session fails (3 tries): it stays open at Stripe
    stripe_sandbox.control("DELETE", "faults")
    pay(stripe_sandbox, first)
    pay(stripe_sandbox, second)
    seen: set = set()
    feed_events(stripe_sandbox, account.stripe_account_id, seen)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", 20000)
    extra = invoice_overpayment(invoice=invoice)
    assert extra.amount == 10000 and extra.payment.pk == second.pk
    payment_refund_create(
        payment=extra.payment,
        amount=extra.refund_amount,
        reason="duplicate",
        actor=firm.owner,
        request_key="over-1",
    )
    feed_events(stripe_sandbox, account.stripe_account_id, seen)
    invoice.refresh_from_db()
    second.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, second.status) == ("paid", 10000, "refunded")
    assert invoice_overpayment(invoice=invoice) is None
    charge = stripe_sandbox.client().v1.charges.retrieve(
        second.charge_id, options={"stripe_account": account.stripe_account_id}
    )
    assert charge.amount_refunded == 10000


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in __import__("django.conf").conf.settings.DATABASES["default"]["ENGINE"],
    reason="row locks: PostgreSQL",
)
def test_two_simultaneous_pay_clicks_make_one_session_in_stripe(live_firm, stripe_sandbox):
    firm, account = live_firm
    invoice = sent_invoice(firm)
    barrier = threading.Barrier(2)
    results = []

    def click():
        barrier.wait()
        try:
            results.append(checkout_start(invoice=invoice, return_url=PAGE).checkout_session_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sessions = stripe_sandbox.client().v1.checkout.sessions.list(
        options={"stripe_account": account.stripe_account_id}
    )
    assert len(set(results)) == 1 and [s.id for s in sessions.data] == results[:1]


def test_a_returned_debit_reopens_the_paid_invoice(live_firm, stripe_sandbox):
    firm, account = live_firm
    invoice = sent_invoice(firm)
    payment = checkout_start(invoice=invoice, return_url=PAGE)
    answer = pay(stripe_sandbox, payment, method="us_bank_account")
    seen: set = set()
    feed_events(stripe_sandbox, account.stripe_account_id, seen)
    invoice.refresh_from_db()
    assert invoice.status == "payment_processing"
    pi = answer["payment_intent"]["id"]
    stripe_sandbox.control("POST", f"payment_intents/{pi}/settle", {})
    feed_events(stripe_sandbox, account.stripe_account_id, seen)
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    stripe_sandbox.advance(days=2)
    stripe_sandbox.control("POST", f"payment_intents/{pi}/return", {"as": "failure"})
    feed_events(stripe_sandbox, account.stripe_account_id, seen)
    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert (invoice.status, invoice.amount_due, payment.status) == ("open", 10000, "failed")
