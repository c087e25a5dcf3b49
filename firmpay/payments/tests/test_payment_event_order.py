"""Out-of-order and duplicate events converge: for each scenario, every order of its
events, each delivered three times (the duplicates arriving after the others), ends in
the state the in-order delivery gives. Events go through the real processing service."""

from __future__ import annotations

import itertools

import pytest

from firmpay.payments.online.models import OnlinePayment, PaymentNotice
from firmpay.payments.tests.online import (
    Stripe,
    connected_account,
    deliver,
    pending_payment,
    sent_invoice,
)

pytestmark = pytest.mark.django_db

T0 = 1_790_000_000
DAY = 86400


def card(s: Stripe):
    return [
        s.session("checkout.session.completed", "paid", at=T0),
        s.intent("payment_intent.succeeded", at=T0),
        s.charge("charge.succeeded", at=T0),
    ]


def ach_settles(s: Stripe):
    # Async success before checkout.session.completed is among the orders tried.
    return [
        s.session("checkout.session.completed", "unpaid", at=T0),
        s.intent("payment_intent.processing", at=T0),
        s.session("checkout.session.async_payment_succeeded", "paid", at=T0 + 3 * DAY),
        s.intent("payment_intent.succeeded", at=T0 + 3 * DAY),
    ]


def ach_fails(s: Stripe):
    error = {
        "message": "The account has insufficient funds.",
        "payment_method": {"type": "us_bank_account"},
    }
    return [
        s.session("checkout.session.completed", "unpaid", at=T0),
        s.intent("payment_intent.processing", at=T0),
        s.session("checkout.session.async_payment_failed", "unpaid", at=T0 + 3 * DAY),
        s.intent("payment_intent.payment_failed", at=T0 + 3 * DAY, error=error),
    ]


def ach_returned(s: Stripe):
    # Settled, then returned by the bank days later.
    return [
        s.session("checkout.session.completed", "unpaid", at=T0),
        s.session("checkout.session.async_payment_succeeded", "paid", at=T0 + 3 * DAY),
        s.charge("charge.failed", at=T0 + 5 * DAY, status="failed"),
    ]


def partial_refund(s: Stripe):
    # As Stripe sends them: the refund in its own event, the charge with only its total.
    # The refund may come before anything tells us its payment: it waits, unplaced.
    return [
        s.session("checkout.session.completed", "paid", at=T0),
        s.intent("payment_intent.succeeded", at=T0),
        s.refund("refund.created", 3000, refund_id=f"re_{s.pi[3:]}", at=T0 + DAY),
        s.charge("charge.refunded", amount_refunded=3000, at=T0 + DAY),
    ]


def refund_fails(s: Stripe):
    # A refund that fails after it was created: the money stays paid.
    refund_id = f"re_{s.pi[3:]}"
    return [
        s.session("checkout.session.completed", "paid", at=T0),
        s.refund("refund.created", 4000, refund_id=refund_id, status="pending", at=T0 + DAY),
        s.refund("refund.failed", 4000, refund_id=refund_id, status="failed", at=T0 + 2 * DAY),
    ]


def dispute_lost(s: Stripe):
    return [
        s.session("checkout.session.completed", "paid", at=T0),
        s.dispute("charge.dispute.created", "needs_response", at=T0 + DAY),
        s.dispute("charge.dispute.closed", "lost", at=T0 + 9 * DAY),
    ]


def dispute_open(s: Stripe):
    return [
        s.intent("payment_intent.succeeded", at=T0),
        s.dispute("charge.dispute.created", "needs_response", at=T0 + DAY),
        s.dispute("charge.dispute.updated", "under_review", at=T0 + 2 * DAY),
    ]


SCENARIOS = {
    "card": (card, "card"),
    "ach_settles": (ach_settles, "us_bank_account"),
    "ach_fails": (ach_fails, "us_bank_account"),
    "ach_returned": (ach_returned, "us_bank_account"),
    "partial_refund": (partial_refund, "card"),
    "refund_fails": (refund_fails, "card"),
    "dispute_lost": (dispute_lost, "card"),
    "dispute_open": (dispute_open, "card"),
}
EXPECTED = {
    "card": ("succeeded", 0, "paid", 10000, False),
    "ach_settles": ("succeeded", 0, "paid", 10000, False),
    "ach_fails": ("failed", 0, "open", 0, False),
    "ach_returned": ("failed", 0, "open", 0, False),
    "partial_refund": ("partially_refunded", 3000, "partially_paid", 7000, False),
    "refund_fails": ("succeeded", 0, "paid", 10000, False),
    "dispute_lost": ("lost", 0, "open", 0, False),
    "dispute_open": ("disputed", 0, "paid", 10000, True),
}
NOTICE_KINDS = {
    "card": {"receipt", "firm_paid"},
    "ach_settles": {"receipt", "firm_paid"},
    "ach_fails": {"failed_client", "failed_firm"},
    "ach_returned": {"failed_client", "failed_firm"},
    "partial_refund": {"receipt", "firm_paid", "refund_firm", "refund_client"},
    "refund_fails": {"receipt", "firm_paid"},
    "dispute_lost": {"receipt", "firm_paid", "dispute_firm"},
    "dispute_open": {"receipt", "firm_paid", "dispute_firm"},
}


def state(payment: OnlinePayment):
    payment.refresh_from_db()
    invoice = payment.invoice
    invoice.refresh_from_db()
    return (
        payment.status,
        payment.amount_refunded,
        invoice.status,
        invoice.amount_paid,
        invoice.disputed,
    )


def cases():
    for name in SCENARIOS:
        count = 4 if name in ("ach_settles", "ach_fails", "partial_refund") else 3
        for order in itertools.permutations(range(count)):
            yield pytest.param(name, order, id=f"{name}-{''.join(map(str, order))}")


@pytest.mark.parametrize(("scenario", "order"), list(cases()))
def test_events_in_any_order_three_times_converge(scenario, order, make_firm):
    build, method = SCENARIOS[scenario]
    firm = make_firm()
    account = connected_account(firm)
    payment = pending_payment(sent_invoice(firm), account)
    events = build(Stripe(payment, method=method))
    sequence = [events[i] for i in order]
    for data in sequence + sequence[::-1] + sequence:
        deliver(data)
    assert state(payment) == EXPECTED[scenario]
    kinds = set(PaymentNotice.objects.filter(payment=payment).values_list("kind", flat=True))
    kinds.discard("debit_initiated")  # only when the debit's start is heard before its end
    if scenario == "ach_returned":
        # The receipt goes out only if the settlement was heard before the return.
        kinds -= {"receipt", "firm_paid"}
    if scenario == "refund_fails":
        # The refund is announced only if its creation was heard before its failure.
        kinds -= {"refund_client", "refund_firm"}
    assert kinds == NOTICE_KINDS[scenario]


def test_in_order_delivery_gives_the_expected_states(make_firm):
    """The reference: each scenario in Stripe's order, once."""
    for name, (build, method) in SCENARIOS.items():
        firm = make_firm()
        payment = pending_payment(sent_invoice(firm), connected_account(firm))
        for data in build(Stripe(payment, method=method)):
            deliver(data)
        assert state(payment) == EXPECTED[name], name
