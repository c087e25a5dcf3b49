"""Refunds made by the firm (owners and admins) from the invoice page: full or partial,
with a reason, idempotent (a double submit is one refund), audited."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from firmpay.core.audit import audit_record_create
from firmpay.core.money import format_amount
from firmpay.invoices.models import Invoice
from firmpay.payments.exceptions import StripeRequestFailed
from firmpay.payments.online.books import payment_booked
from firmpay.payments.online.exceptions import RefundRefused
from firmpay.payments.online.models import (
    OnlinePayment,
    PaymentRefund,
    RefundReason,
)
from firmpay.payments.online.refund_facts import refund_upsert
from firmpay.payments.online.state import payment_settle
from firmpay.payments.stripe import checkout as stripe_checkout


def payment_refund_create(
    *,
    payment: OnlinePayment,
    amount: int,
    reason: str,
    actor,
    request_key: str,
    note: str = "",
    request=None,
) -> PaymentRefund:
    """Refund `amount` (minor units) of a succeeded payment. `request_key` comes from the
    form (one per rendered form): submitting it twice returns the first refund. Raises
    RefundRefused, StripeUnavailable (nothing refunded, try again), StripeRequestFailed."""
    if type(amount) is not int:
        raise TypeError("amount is an int in minor units")
    if reason not in RefundReason.values:
        raise RefundRefused("Choose a reason for the refund.")
    existing = _by_request_key(payment, request_key)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            Invoice.objects.select_for_update().get(pk=payment.invoice_id)
            payment = OnlinePayment.objects.select_for_update().get(pk=payment.pk)
            if not payment.payment_intent_id or payment.refundable <= 0:
                raise RefundRefused()
            if amount <= 0:
                raise RefundRefused("The amount must be more than zero.")
            if amount > payment.refundable:
                raise RefundRefused(
                    f"At most {format_amount(payment.refundable, payment.currency)} "
                    "of this payment can be refunded."
                )
            booked = payment_booked(payment)
            refund = PaymentRefund.objects.create(
                firm_id=payment.firm_id,
                payment=payment,
                payment_intent_id=payment.payment_intent_id,
                charge_id=payment.charge_id,
                stripe_account_id=payment.stripe_account_id,
                amount=amount,
                currency=payment.currency,
                reason=reason,
                note=note.strip()[:500],
                request_key=request_key[:64],
                created_by=actor,
            )
            try:
                answer = stripe_checkout.refund_create(
                    account_id=payment.stripe_account_id,
                    payment_intent=payment.payment_intent_id,
                    amount=amount,
                    reason=reason,
                    metadata={
                        "firmpay_refund_id": str(refund.pk),
                        "firmpay_payment_id": str(payment.pk),
                        "firmpay_invoice_id": str(payment.invoice_id),
                    },
                    idempotency_key=f"payment_refund:{refund.pk}:create",
                )
            except StripeRequestFailed as error:
                raise RefundRefused(str(error)) from error
            refund.stripe_refund_id = answer.refund_id
            refund.save(update_fields=["stripe_refund_id", "updated_at"])
            refund = refund_upsert(
                answer, firm_id=payment.firm_id, account=payment.stripe_account_id, payment=payment
            )
            payment.invoice = Invoice.objects.get(pk=payment.invoice_id)
            payment_settle(payment, booked_before=booked)
            audit_record_create(
                action="payments.refund_created",
                firm=payment.firm,
                actor=actor,
                target=payment,
                request=request,
                detail={
                    "invoice": payment.invoice.number,
                    "payment_id": payment.pk,
                    "refund_id": refund.pk,
                    "stripe_refund_id": answer.refund_id,
                    "amount": amount,
                    "currency": payment.currency,
                    "reason": reason,
                    "note": refund.note,
                },
            )
    except IntegrityError:
        existing = _by_request_key(payment, request_key)
        if existing is None:
            raise
        return existing
    return refund


def _by_request_key(payment: OnlinePayment, request_key: str) -> PaymentRefund | None:
    if not request_key:
        raise RefundRefused("The refund form expired: open it again.")
    return PaymentRefund.objects.filter(firm_id=payment.firm_id, request_key=request_key).first()
