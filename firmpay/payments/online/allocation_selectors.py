"""What a payment for several invoices means for each of them.

The payment's money goes to its allocations in order (position 0 first); money taken back
(refunds) comes off the last-applied allocation first, so the oldest invoice stays paid the
longest. A failed debit or a lost dispute takes the whole payment back from every invoice."""

from __future__ import annotations

from dataclasses import dataclass

from firmpay.payments.online.allocation_models import PaymentAllocation
from firmpay.payments.online.models import RECEIVED_STATUSES, OnlinePaymentStatus


@dataclass(frozen=True)
class AllocationShare:
    allocation: PaymentAllocation
    received: int  # net of this allocation's part of the refunds
    refunded: int
    processing: int


def allocation_shares(payment, allocations: list[PaymentAllocation] | None = None):
    """Each allocation's part of the payment as it stands, in allocation order."""
    if allocations is None:
        allocations = list(payment.allocations.order_by("position"))
    received = payment.status in RECEIVED_STATUSES
    processing = payment.status == OnlinePaymentStatus.PROCESSING
    left_to_take = min(payment.amount_refunded, payment.amount) if received else 0
    refunded_by_position = {}
    for allocation in reversed(allocations):
        taken = min(left_to_take, allocation.amount)
        refunded_by_position[allocation.position] = taken
        left_to_take -= taken
    return [
        AllocationShare(
            allocation=a,
            received=(a.amount - refunded_by_position[a.position]) if received else 0,
            refunded=refunded_by_position[a.position],
            processing=a.amount if processing else 0,
        )
        for a in allocations
    ]


def payment_is_allocated(payment) -> bool:
    if payment.pk is None:
        return False
    cached = getattr(payment, "_prefetched_objects_cache", {}).get("allocations")
    if cached is not None:
        return bool(cached)
    return PaymentAllocation.objects.filter(payment_id=payment.pk).exists()


@dataclass(frozen=True)
class AllocatedAmounts:
    received: int = 0
    processing: int = 0
    refunded: int = 0
    disputed: bool = False


def invoice_allocated_amounts(*, invoice) -> AllocatedAmounts:
    """What payments for several invoices hold for this one (an invoices amount source)."""
    received = processing = refunded = 0
    disputed = False
    payments = {
        a.payment_id: a.payment
        for a in PaymentAllocation.objects.filter(invoice=invoice).select_related("payment")
    }
    for payment in payments.values():
        if payment.status in (OnlinePaymentStatus.PENDING, OnlinePaymentStatus.EXPIRED):
            continue
        for share in allocation_shares(payment):
            if share.allocation.invoice_id == invoice.pk:
                received += share.received
                processing += share.processing
                refunded += share.refunded
        disputed = disputed or payment.status == OnlinePaymentStatus.DISPUTED
    return AllocatedAmounts(received, processing, refunded, disputed)


def payment_allocated_invoice_ids(*, payment_id: int) -> list[int]:
    return list(
        PaymentAllocation.objects.filter(payment_id=payment_id)
        .order_by("invoice_id")
        .values_list("invoice_id", flat=True)
    )
