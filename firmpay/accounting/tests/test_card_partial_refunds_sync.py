"""Partial refunds of a card payment reach the books, for each vendor: the payment there is
reversed and what the firm kept is recorded again under a key of its own, so the books
always show one live payment for what remains, and the invoice there owes what was
refunded. Same set-up as test_card_payments_sync.py: the Stripe sandbox, its webhooks
through Firmpay's real endpoint, the vendors as respx fakes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from firmpay.accounting.models import SyncItem, SyncStatus
from firmpay.accounting.tests import test_card_payments_sync as card_sync
from firmpay.accounting.tests.flows import drain, sent_invoice
from firmpay.payments.online.refunds import payment_refund_create

pytestmark = pytest.mark.django_db

# The same connected vendor, Stripe sandbox account and webhook forwarding.
books = card_sync.books
stripe_live = card_sync.stripe_live
stripe_webhooks = card_sync.stripe_webhooks
pay_by_card = card_sync.pay_by_card


def refund(payment, owner, amount: int, key: str):
    payment.refresh_from_db()
    return payment_refund_create(
        payment=payment, amount=amount, reason="requested_by_customer", actor=owner, request_key=key
    )


def paid_and_booked(books, firm, stripe_sandbox, stripe_webhooks):
    invoice = sent_invoice(firm)
    drain()
    payment = pay_by_card(stripe_sandbox, invoice)
    stripe_webhooks.deliver()
    drain()
    (remote,) = books.payments()
    assert books.amount(remote) == Decimal("248.14") and books.amount_due() == 0
    return invoice, payment


def test_partial_refunds_leave_one_payment_there_for_what_remains(
    books, firm, owner, stripe_live, stripe_sandbox, stripe_webhooks
):
    invoice, payment = paid_and_booked(books, firm, stripe_sandbox, stripe_webhooks)

    refund(payment, owner, 5000, "refund-1")
    stripe_webhooks.deliver()
    drain()
    payment.refresh_from_db()
    assert payment.status == "partially_refunded" and payment.amount_refunded == 5000
    (remote,) = books.payments()
    assert books.amount(remote) == Decimal("198.14") and books.amount_due() == Decimal("50.00")
    first = SyncItem.objects.get(key=f"payment:online:{payment.pk}:reverse")
    remainder = SyncItem.objects.get(key=f"payment:online:{payment.pk}:after-refund:5000:record")
    assert first.status == remainder.status == SyncStatus.DONE
    assert remainder.payload["amount"] == 19814

    refund(payment, owner, 4000, "refund-2")
    stripe_webhooks.deliver()
    drain()
    (remote,) = books.payments()
    assert books.amount(remote) == Decimal("158.14") and books.amount_due() == Decimal("90.00")

    payment.refresh_from_db()
    refund(payment, owner, payment.refundable, "refund-3")
    stripe_webhooks.deliver()
    drain()
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == "refunded" and invoice.status == "refunded"
    assert books.payments() == [] and books.amount_due() == Decimal("248.14")
    every = books.payments(live=False)
    assert len(every) == 3 and all(books.reversed(row) for row in every)
    assert sorted(books.amount(row) for row in every) == [
        Decimal("158.14"),
        Decimal("198.14"),
        Decimal("248.14"),
    ]
    rows = SyncItem.objects.filter(payment_key__startswith=f"online:{payment.pk}")
    assert rows.count() == 6 and {row.status for row in rows} == {SyncStatus.DONE}


def test_a_duplicate_refund_event_or_submit_books_nothing_more(
    books, firm, owner, stripe_live, stripe_sandbox, stripe_webhooks
):
    _invoice, payment = paid_and_booked(books, firm, stripe_sandbox, stripe_webhooks)
    first = refund(payment, owner, 2500, "refund-1")
    stripe_webhooks.deliver()
    drain()
    rows, writes = SyncItem.objects.count(), len(books.payment_writes())

    assert refund(payment, owner, 2500, "refund-1").pk == first.pk  # a double submit
    stripe_webhooks.forwarded = 0  # Stripe delivering every event again
    stripe_webhooks.deliver()
    drain()

    payment.refresh_from_db()
    assert payment.amount_refunded == 2500
    assert SyncItem.objects.count() == rows and len(books.payment_writes()) == writes
    (remote,) = books.payments()
    assert books.amount(remote) == Decimal("223.14") and books.amount_due() == Decimal("25.00")


def test_the_remainder_waits_for_the_reversal_of_the_payment_it_replaces(
    books, firm, owner, stripe_live, stripe_sandbox, stripe_webhooks
):
    """Recorded first, the remainder would overpay the invoice there (Xero refuses)."""
    _invoice, payment = paid_and_booked(books, firm, stripe_sandbox, stripe_webhooks)
    method, path = ("POST", "Payments/") if books.vendor == "xero" else ("POST", "payment")
    books.fake.fail_next("500", path_contains=path, method=method)
    refund(payment, owner, 5000, "refund-1")
    stripe_webhooks.deliver()
    drain()
    reverse = SyncItem.objects.get(key=f"payment:online:{payment.pk}:reverse")
    remainder = SyncItem.objects.get(key=f"payment:online:{payment.pk}:after-refund:5000:record")
    assert reverse.status == remainder.status == SyncStatus.PENDING
    assert remainder.attempts == 0  # waited without spending an attempt, nothing sent
    (remote,) = books.payments()
    assert books.amount(remote) == Decimal("248.14") and len(books.payments(live=False)) == 1

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        drain()
    (remote,) = books.payments()
    assert books.amount(remote) == Decimal("198.14") and books.amount_due() == Decimal("50.00")
