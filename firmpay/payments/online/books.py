"""What the accounting system (Xero, QuickBooks) should show of an online payment: at most
one live payment there, for what the firm kept of it.

`payment_booked` names that payment for a payment as it stands. A payment never refunded is
`online:<id>` for its amount. After a refund the payment there is reversed and what remains
is recorded again under a key of its own, `online:<id>:after-refund:<refunded so far>`
(with `:<n>` appended once n refunds have failed, as the total can then come back to an
earlier value), so each outbox row has its own business key and a duplicate event, which
leaves the total as it was, books nothing. A full refund, a returned debit or a lost dispute
leaves nothing live.

`payment_accounting_follow` runs in the transaction that changed the payment (invoice and
payment locked) and tells the books (the accounting app, through `payments/hooks.py`) the difference between before and after."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from firmpay.payments.hooks import payment_hooks_run
from firmpay.payments.online.allocation_books import (
    AllocatedBooked,
    allocated_booked,
    allocated_books_follow,
)
from firmpay.payments.online.allocation_selectors import payment_is_allocated
from firmpay.payments.online.models import OnlinePayment, OnlinePaymentStatus, RefundStatus
from firmpay.tenancy.middleware import firm_timezone

# Paid, and not (wholly) taken back: an open dispute stays booked until it is lost.
LIVE = (
    OnlinePaymentStatus.SUCCEEDED,
    OnlinePaymentStatus.PARTIALLY_REFUNDED,
    OnlinePaymentStatus.DISPUTED,
    OnlinePaymentStatus.WON,
)
REFUND_UNDONE = (RefundStatus.FAILED, RefundStatus.CANCELED)


@dataclass(frozen=True)
class Booked:
    payment_key: str
    amount: int


def payment_booked(payment: OnlinePayment) -> Booked | None:
    """The payment the books should show: from the payment's settled status and refunded
    total and its refund rows as they are now (None: nothing)."""
    if payment_is_allocated(payment):  # several invoices: one booked payment per invoice
        return allocated_booked(payment, live=payment.status in LIVE)
    if payment.pk is None or payment.status not in LIVE:
        return None
    refunded = payment.amount_refunded
    if payment.amount - refunded <= 0:
        return None
    undone = payment.refunds.filter(status__in=REFUND_UNDONE).count()
    if refunded == 0 and undone == 0:
        return Booked(f"online:{payment.pk}", payment.amount)
    key = f"online:{payment.pk}:after-refund:{refunded}" + (f":{undone}" if undone else "")
    return Booked(key, payment.amount - refunded)


def payment_accounting_follow(
    *, payment: OnlinePayment, before: Booked | None, after: Booked | None
) -> None:
    """Reverse what was booked and book what is now, when they differ (inside the caller's
    transaction: the accounting app writes outbox rows and kicks its task after commit)."""
    if before == after:
        return
    if isinstance(after, AllocatedBooked) or isinstance(before, AllocatedBooked):
        allocated_books_follow(payment=payment, before=before, after=after)
        return
    invoice = payment.invoice
    if before is not None:
        payment_hooks_run(
            "payment_unbooked",
            firm=invoice.firm,
            invoice=invoice,
            payment_key=before.payment_key,
            reason=payment.status if after is None else "partially_refunded",
        )
    if after is not None:
        payment_hooks_run("payment_booked", **_booking(payment, after=after, before=before))


def _booking(payment: OnlinePayment, *, after: Booked, before: Booked | None) -> dict:
    """What the "payment_booked" listeners are told."""
    invoice = payment.invoice
    paid = payment.succeeded_at or timezone.now()
    # The firm's calendar day, as invoice dates are (not the UTC date).
    paid_on = timezone.localtime(paid, firm_timezone(invoice.firm)).date()
    return {
        "firm": invoice.firm,
        "invoice": invoice,
        "payment_key": after.payment_key,
        "amount": after.amount,
        "currency": payment.currency,
        "paid_on": paid_on,
        "reference": payment.payment_intent_id,
        "replaces": before.payment_key if before is not None else "",
    }


def payments_first_booked(*, payments: list[OnlinePayment]) -> None:
    """`payment_accounting_follow` for payments (one invoice each, never refunded) that just
    succeeded and had nothing booked: the books hear of them all at once ("payments_booked")
    when a listener takes them so, else one by one."""
    bookings = [
        _booking(payment, after=Booked(f"online:{payment.pk}", payment.amount), before=None)
        for payment in payments
    ]
    if bookings and not payment_hooks_run("payments_booked", bookings=bookings):
        for booking in bookings:
            payment_hooks_run("payment_booked", **booking)
