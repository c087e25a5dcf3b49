"""Refund and dispute events: each refund and dispute is a row keyed by Stripe's id, with
a status that only moves forward; one that arrives before we know its payment is stored
unattached and adopted when the payment learns its payment intent or charge."""

from __future__ import annotations

from django.db import transaction

from firmpay.core.numbers import id_or_none
from firmpay.payments.checkout_models import (
    DisputeStatus,
    OnlinePayment,
    PaymentDispute,
    PaymentRefund,
)
from firmpay.payments.models import StripeEventStatus
from firmpay.payments.services import payment_events as core
from firmpay.payments.stripe.checkout import (
    ChargeInfo,
    DisputeInfo,
    RefundInfo,
    dispute_from_stripe,
    refund_from_stripe,
)
from firmpay.payments.stripe.dataclasses import EventEnvelope


def _refunds_unplaced(event: EventEnvelope, charge: ChargeInfo) -> str:
    """A refund event before its payment's: keep the refunds, place them later."""
    firm_id = core._firm_id_for_account(event.account)
    if firm_id is None:
        return StripeEventStatus.IGNORED
    if not charge.refunds:
        # Only a total and no payment of ours known for it: the refund.* events carry
        # each refund and are placed when the payment is known.
        return StripeEventStatus.IGNORED
    with transaction.atomic():
        for refund in charge.refunds:
            _refund_upsert(refund, firm_id=firm_id, account=event.account, payment=None)
    core._recheck_unplaced(event.account, charge.payment_intent, charge.id)
    return StripeEventStatus.PROCESSED


_REFUND_RANK = {"pending": 0, "requires_action": 0, "succeeded": 1, "failed": 2, "canceled": 2}


def _refund_upsert(refund: RefundInfo, *, firm_id: int, account: str, payment) -> PaymentRefund:
    row = PaymentRefund.objects.filter(stripe_refund_id=refund.id).first()
    refund_id = id_or_none(refund.metadata.get("firmpay_refund_id"))
    if row is None and refund_id:
        row = PaymentRefund.objects.filter(pk=refund_id, stripe_refund_id="").first()
    status = refund.status if refund.status in _REFUND_RANK else "pending"
    if row is None:
        row, _ = PaymentRefund.objects.get_or_create(
            stripe_refund_id=refund.id,
            defaults={
                "firm_id": firm_id,
                "payment": payment,
                "payment_intent_id": refund.payment_intent,
                "charge_id": refund.charge,
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
        row.stripe_refund_id, changed = refund.id, True
    if payment is not None and row.payment_id is None:
        row.payment, changed = payment, True
    # Forward only: pending → succeeded → failed/canceled (a succeeded refund can still fail).
    if _REFUND_RANK[status] > _REFUND_RANK.get(row.status, 0):
        row.status, changed = status, True
    if changed:
        row.save()
    row.changed = changed
    return row


def handle_refund(event: EventEnvelope) -> str:
    """refund.created / refund.updated / refund.failed / charge.refund.updated."""
    refund = refund_from_stripe(event.object)
    return _place(event, refund, lambda **kw: _refund_upsert(refund, **kw).changed)


def _place(event: EventEnvelope, info, upsert) -> str:
    """Apply a refund or dispute to its payment; one whose payment is not known yet is
    stored unplaced (and attached when the payment arrives). `upsert(firm_id=, account=,
    payment=)` returns whether anything changed."""
    payment = core._payment_for(
        account=event.account, payment_intent=info.payment_intent, charge=info.charge
    )
    if payment is None:
        firm_id = core._firm_id_for_account(event.account)
        if firm_id is None:
            return StripeEventStatus.IGNORED
        with transaction.atomic():
            upsert(firm_id=firm_id, account=event.account, payment=None)
        core._recheck_unplaced(event.account, info.payment_intent, info.charge)
        return StripeEventStatus.PROCESSED

    def change(p: OnlinePayment) -> bool:
        core._learn_ids(p, payment_intent=info.payment_intent, charge=info.charge)
        return upsert(firm_id=p.firm_id, account=p.stripe_account_id, payment=p)

    return core._apply(payment.pk, change)


_DISPUTE_CLOSED = {"won": DisputeStatus.WON, "lost": DisputeStatus.LOST}


def _dispute_upsert(dispute: DisputeInfo, *, firm_id: int, account: str, payment) -> bool:
    """Returns whether the row is new or changed."""
    status = _DISPUTE_CLOSED.get(dispute.status, DisputeStatus.OPEN)
    row, created = PaymentDispute.objects.get_or_create(
        stripe_dispute_id=dispute.id,
        defaults={
            "firm_id": firm_id,
            "payment": payment,
            "payment_intent_id": dispute.payment_intent,
            "charge_id": dispute.charge,
            "stripe_account_id": account,
            "amount": dispute.amount,
            "currency": dispute.currency,
            "status": status,
            "stripe_status": dispute.status,
            "reason": dispute.reason,
            "evidence_due_by": dispute.evidence_due_by,
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
    if (row.payment_id, row.status, row.stripe_status, row.evidence_due_by) == before:
        return False
    row.save()
    return True


def handle_dispute(event: EventEnvelope) -> str:
    """charge.dispute.created / updated / closed / funds_withdrawn / funds_reinstated."""
    dispute = dispute_from_stripe(event.object)
    return _place(event, dispute, lambda **kw: _dispute_upsert(dispute, **kw))
