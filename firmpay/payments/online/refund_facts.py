"""Refund and dispute facts: each refund and dispute is a row keyed by the processor's id,
with a status that only moves forward; one that arrives before we know its payment is stored
unattached and adopted when the payment learns its intent or charge (`state.py`)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from firmpay.payments.facts import (
    DisputeClosed,
    Disputed,
    PaymentRef,
    Refunded,
    RefundFailed,
    fact_applier,
)
from firmpay.payments.models import StripeEventStatus
from firmpay.payments.online.models import (
    DisputeStatus,
    OnlinePayment,
    PaymentDispute,
    PaymentRefund,
)
from firmpay.payments.online.state import (
    firm_id_for_account,
    payment_change,
    payment_for_ref,
    payment_learn_ids,
    unplaced_recheck,
)


def _place(ref: PaymentRef, upsert: Callable[..., bool]) -> str:
    """Apply a refund or dispute to its payment; one whose payment is not known yet is
    stored unplaced (and attached when the payment arrives). `upsert(firm_id=, account=,
    payment=)` returns whether anything changed."""
    payment = payment_for_ref(PaymentRef(account=ref.account, intent=ref.intent, charge=ref.charge))
    if payment is None:
        firm_id = firm_id_for_account(ref.account)
        if firm_id is None:
            return StripeEventStatus.IGNORED
        with transaction.atomic():
            upsert(firm_id=firm_id, account=ref.account, payment=None)
        unplaced_recheck(ref)
        return StripeEventStatus.PROCESSED

    def change(p: OnlinePayment) -> bool:
        payment_learn_ids(p, PaymentRef(account=ref.account, intent=ref.intent, charge=ref.charge))
        return upsert(firm_id=p.firm_id, account=p.stripe_account_id, payment=p)

    return payment_change(payment.pk, change)


@fact_applier(Refunded, RefundFailed)
def refund_apply(fact: Refunded | RefundFailed) -> str:
    return _place(fact.ref, lambda **kw: refund_upsert(fact, **kw).changed)


@fact_applier(Disputed, DisputeClosed)
def dispute_apply(fact: Disputed | DisputeClosed) -> str:
    return _place(fact.ref, lambda **kw: _dispute_upsert(fact, **kw))


_REFUND_RANK = {"pending": 0, "requires_action": 0, "succeeded": 1, "failed": 2, "canceled": 2}


def refund_upsert(
    refund: Refunded | RefundFailed, *, firm_id: int, account: str, payment
) -> PaymentRefund:
    """The refund's row, created or moved forward; `.changed` says whether it was written."""
    row = PaymentRefund.objects.filter(stripe_refund_id=refund.refund_id).first()
    if row is None and refund.our_refund_id is not None:
        row = PaymentRefund.objects.filter(pk=refund.our_refund_id, stripe_refund_id="").first()
    status = refund.status if refund.status in _REFUND_RANK else "pending"
    if row is None:
        row, _ = PaymentRefund.objects.get_or_create(
            stripe_refund_id=refund.refund_id,
            defaults={
                "firm_id": firm_id,
                "payment": payment,
                "payment_intent_id": refund.ref.intent,
                "charge_id": refund.ref.charge,
                "stripe_account_id": account,
                "amount": refund.amount,
                "currency": refund.currency,
                "status": status,
            },
        )
        row.changed = True
        return row
    changed = False
    if not row.stripe_refund_id:
        row.stripe_refund_id, changed = refund.refund_id, True
    if payment is not None and row.payment_id is None:
        row.payment, changed = payment, True
    # Forward only: pending → succeeded → failed/canceled (a succeeded refund can still fail).
    if _REFUND_RANK[status] > _REFUND_RANK.get(row.status, 0):
        row.status, changed = status, True
    if changed:
        row.save()
    row.changed = changed
    return row


def _dispute_upsert(
    dispute: Disputed | DisputeClosed, *, firm_id: int, account: str, payment
) -> bool:
    """Returns whether the row is new or changed."""
    status = DisputeStatus.OPEN
    if isinstance(dispute, DisputeClosed):
        status = DisputeStatus.WON if dispute.won else DisputeStatus.LOST
    row, created = PaymentDispute.objects.get_or_create(
        stripe_dispute_id=dispute.dispute_id,
        defaults={
            "firm_id": firm_id,
            "payment": payment,
            "payment_intent_id": dispute.ref.intent,
            "charge_id": dispute.ref.charge,
            "stripe_account_id": account,
            "amount": dispute.amount,
            "currency": dispute.currency,
            "status": status,
            "stripe_status": dispute.status,
            "reason": dispute.reason,
            "evidence_due_by": dispute.evidence_due_by,
            "closed_at": dispute.at if status != DisputeStatus.OPEN else None,
        },
    )
    if created:
        return True
    before = (row.payment_id, row.status, row.stripe_status, row.evidence_due_by)
    if payment is not None and row.payment_id is None:
        row.payment = payment
    # Forward only: an outcome is never undone by a late "open" event.
    if row.status == DisputeStatus.OPEN:
        row.status = status
        row.stripe_status = dispute.status
        row.evidence_due_by = dispute.evidence_due_by or row.evidence_due_by
        if status != DisputeStatus.OPEN:
            row.closed_at = dispute.at
    if (row.payment_id, row.status, row.stripe_status, row.evidence_due_by) == before:
        return False
    row.save()
    return True
