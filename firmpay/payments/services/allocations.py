"""Keeping every invoice of a payment for several invoices true when the payment changes
(called from payment_events: lock them all, then recompute each after the payment settles),
and what the books show of such a payment: one payment per invoice."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from firmpay.invoices.models import Invoice
from firmpay.invoices.services import invoice_recompute_status
from firmpay.payments.selectors_allocations import (
    allocation_shares,
    payment_allocated_invoice_ids,
)
from firmpay.tenancy.middleware import firm_timezone


def allocations_lock(*, payment_id: int) -> None:
    """Lock the invoices a payment is allocated to, in id order (as checkouts lock them)."""
    ids = payment_allocated_invoice_ids(payment_id=payment_id)
    if ids:
        list(Invoice.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def allocations_recompute(*, payment) -> None:
    """Recompute the payment's other invoices (its own `invoice` is done by the caller)."""
    for allocation in payment.allocations.select_related("invoice").order_by("invoice_id"):
        if allocation.invoice_id != payment.invoice_id:
            invoice_recompute_status(invoice=allocation.invoice)


# --- the books -------------------------------------------------------------------------


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


def allocated_accounting_follow(*, services, payment, before, after) -> None:
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
            services.accounting_on_payment_reversed(
                firm=invoice.firm,
                invoice=invoice,
                payment_key=old.payment_key,
                reason=payment.status if new is None else "partially_refunded",
            )
        if new is not None:
            services.accounting_on_payment_succeeded(
                firm=invoice.firm,
                invoice=invoice,
                payment_key=new.payment_key,
                amount=new.amount,
                currency=payment.currency,
                paid_on=paid_on,
                reference=payment.payment_intent_id,
                replaces=old.payment_key if old is not None else "",
            )
