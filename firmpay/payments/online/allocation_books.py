"""What the books (through payments/hooks.py) show of a payment for several invoices: one
payment per invoice, each followed as online/books.py follows a one-invoice payment."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from firmpay.invoices.models import Invoice
from firmpay.payments.hooks import payment_hooks_run
from firmpay.payments.online.allocation_selectors import allocation_shares
from firmpay.tenancy.middleware import firm_timezone


@dataclass(frozen=True)
class InvoiceBooked:
    invoice_id: int
    payment_key: str
    amount: int


@dataclass(frozen=True)
class AllocatedBooked:
    """What the books should show of a payment for several invoices: per invoice, at most
    one live payment, keyed `online:<payment>:invoice:<invoice>` (with
    `:after-refund:<refunded from it>` once a refund took some of it back)."""

    parts: tuple[InvoiceBooked, ...]


def allocated_booked(payment, *, live: bool) -> AllocatedBooked:
    parts = []
    if live:
        for share in allocation_shares(payment):
            if share.received <= 0:
                continue
            key = f"online:{payment.pk}:invoice:{share.allocation.invoice_id}"
            if share.refunded:
                key += f":after-refund:{share.refunded}"
            parts.append(InvoiceBooked(share.allocation.invoice_id, key, share.received))
    return AllocatedBooked(tuple(parts))


def allocated_books_follow(*, payment, before, after) -> None:
    """Per invoice: reverse what no longer stands, book what is new (a changed amount is a
    reversal and a new key that waits for it, as for one-invoice payments)."""
    before_by = {p.invoice_id: p for p in (before.parts if before else ())}
    after_by = {p.invoice_id: p for p in (after.parts if after else ())}
    invoices = {i.pk: i for i in Invoice.objects.filter(pk__in={*before_by, *after_by})}
    paid = payment.succeeded_at or timezone.now()
    paid_on = timezone.localtime(paid, firm_timezone(payment.firm)).date()
    for invoice_id in sorted({*before_by, *after_by}):
        old, new = before_by.get(invoice_id), after_by.get(invoice_id)
        if old == new:
            continue
        invoice = invoices[invoice_id]
        if old is not None:
            payment_hooks_run(
                "payment_unbooked",
                firm=invoice.firm,
                invoice=invoice,
                payment_key=old.payment_key,
                reason=payment.status if new is None else "partially_refunded",
            )
        if new is not None:
            payment_hooks_run(
                "payment_booked",
                firm=invoice.firm,
                invoice=invoice,
                payment_key=new.payment_key,
                amount=new.amount,
                currency=payment.currency,
                paid_on=paid_on,
                reference=payment.payment_intent_id,
                replaces=old.payment_key if old is not None else "",
            )
