"""Keeping every invoice of a payment for several invoices true when the payment changes
(called from online/state.py: lock them all, then recompute each after the payment settles).
What the books show of such a payment is in online/allocation_books.py."""

from __future__ import annotations

from firmpay.invoices.models import Invoice
from firmpay.invoices.services import invoice_recompute_status
from firmpay.payments.online.allocation_selectors import payment_allocated_invoice_ids


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
