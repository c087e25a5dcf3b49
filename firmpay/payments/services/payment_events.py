"""What Stripe's payment events do to our payments and invoices.

Each event records facts on rows (a debit started at T, succeeded at T, failed at T, a
refund of N, a dispute in status S); a payment's status is derived from all its facts
(`payment_status_derive`), never from the last event. So events in any order, any number
of times, end in the same state, and a late or duplicate event changes nothing.

Refunds and disputes are keyed by Stripe's ids; one that arrives before we know which
payment it belongs to (we learn the payment intent from the payment's own events) is
stored unattached and adopted when the payment learns its payment intent.

Lock order everywhere: invoice, then payment.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from firmpay.core.numbers import id_or_none
from firmpay.invoices.models import Invoice
from firmpay.invoices.services import invoice_recompute_status
from firmpay.payments.checkout_models import (
    DEBIT_METHODS,
    REFUND_COUNTED,
    DisputeStatus,
    OnlinePayment,
    OnlinePaymentStatus,
    PaymentDispute,
    PaymentRefund,
)
from firmpay.payments.models import PaymentAccount, StripeEventStatus
from firmpay.payments.services.payment_accounting import (
    payment_accounting_follow,
    payment_booked,
)
from firmpay.payments.services.payment_notices import notices_for_change
from firmpay.payments.stripe.checkout import (
    charge_from_stripe,
    method_from_stripe,
    session_from_stripe,
)
from firmpay.payments.stripe.dataclasses import EventEnvelope

logger = logging.getLogger("firmpay.payments.payment_events")


# --- the state -------------------------------------------------------------------------


def payment_status_derive(
    payment: OnlinePayment, *, refunded: int, disputes: list[str]
) -> OnlinePaymentStatus:
    """The status every fact on the payment adds up to."""
    succeeded = payment.succeeded_at is not None and not (
        payment.failed_at is not None and payment.failed_at >= payment.succeeded_at
    )
    if succeeded:
        if DisputeStatus.OPEN in disputes:
            return OnlinePaymentStatus.DISPUTED
        if DisputeStatus.LOST in disputes:
            return OnlinePaymentStatus.LOST
        if refunded >= payment.amount:
            return OnlinePaymentStatus.REFUNDED
        if refunded > 0:
            return OnlinePaymentStatus.PARTIALLY_REFUNDED
        if DisputeStatus.WON in disputes:
            return OnlinePaymentStatus.WON
        return OnlinePaymentStatus.SUCCEEDED
    if payment.failed_at is not None:
        return OnlinePaymentStatus.FAILED
    if payment.processing_at is not None:
        return OnlinePaymentStatus.PROCESSING
    if payment.expired_at is not None:
        return OnlinePaymentStatus.EXPIRED
    return OnlinePaymentStatus.PENDING


_UNSET = object()


def _settle(payment: OnlinePayment, *, booked_before=_UNSET) -> None:
    """Recompute the payment's derived fields and status, then the invoice's; queue the
    emails the change calls for and tell the books. Call with invoice and payment locked;
    `booked_before` is `payment_booked(payment)` from before the change's rows were written."""
    if booked_before is _UNSET:
        booked_before = payment_booked(payment)
    before = payment.status
    refunds = list(payment.refunds.all())
    counted = sum(r.amount for r in refunds if r.status in REFUND_COUNTED)
    refunded = min(max(counted, payment.charge_amount_refunded), payment.amount)
    disputes = list(payment.disputes.values_list("status", flat=True))
    payment.amount_refunded = refunded
    payment.status = payment_status_derive(payment, refunded=refunded, disputes=disputes)
    payment.save()
    invoice = payment.invoice
    invoice_before = invoice.status
    invoice_recompute_status(invoice=invoice)
    notices_for_change(
        payment=payment,
        before=before,
        invoice_before=invoice_before,
        refunds=refunds,
        disputes=list(payment.disputes.all()),
    )
    payment_accounting_follow(payment=payment, before=booked_before, after=payment_booked(payment))


def _locked(payment_id: int) -> OnlinePayment:
    invoice_id = OnlinePayment.objects.values_list("invoice_id", flat=True).get(pk=payment_id)
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    payment = OnlinePayment.objects.select_for_update().get(pk=payment_id)
    payment.invoice = invoice
    return payment


def payment_recompute(*, payment_id: int) -> OnlinePayment:
    with transaction.atomic():
        payment = _locked(payment_id)
        _settle(payment)
    return payment


# --- finding the payment ---------------------------------------------------------------


def _payment_for(
    *, account: str, metadata: dict | None = None, payment_intent: str = "", charge: str = ""
) -> OnlinePayment | None:
    rows = OnlinePayment.objects.filter(stripe_account_id=account) if account else None
    if rows is None:
        return None
    # Metadata is ours, but a signed event may carry anything: not an id means no match.
    payment_id = id_or_none((metadata or {}).get("firmpay_payment_id"))
    if payment_id:
        found = rows.filter(pk=payment_id).first()
        if found is not None:
            return found
    if payment_intent:
        found = rows.filter(payment_intent_id=payment_intent).first()
        if found is not None:
            return found
    if charge:
        return rows.filter(charge_id=charge).first()
    return None


def _firm_id_for_account(account: str) -> int | None:
    return (
        PaymentAccount.objects.filter(stripe_account_id=account)
        .order_by("-id")
        .values_list("firm_id", flat=True)
        .first()
    )


def _learn_ids(payment: OnlinePayment, *, payment_intent: str = "", charge: str = "", method=""):
    """Remember the payment intent / charge / method. When an id is learned, adopt the
    refunds and disputes that arrived before we could place them (later ones find the
    payment by that id directly)."""
    learned = {}
    if payment_intent and not payment.payment_intent_id:
        payment.payment_intent_id = learned["payment_intent_id"] = payment_intent
    if charge and not payment.charge_id:
        payment.charge_id = learned["charge_id"] = charge
    if method and not payment.method:
        payment.method = method
    for field, value in learned.items():
        for model in (PaymentRefund, PaymentDispute):
            model.objects.filter(
                payment__isnull=True, stripe_account_id=payment.stripe_account_id, **{field: value}
            ).update(payment=payment)


def _adopt(payment: OnlinePayment) -> bool:
    for model in (PaymentRefund, PaymentDispute):
        rows = model.objects.filter(
            payment__isnull=True, stripe_account_id=payment.stripe_account_id
        )
        if payment.payment_intent_id:
            rows.filter(payment_intent_id=payment.payment_intent_id).update(payment=payment)
        if payment.charge_id:
            rows.filter(charge_id=payment.charge_id).update(payment=payment)
    return True


def _recheck_unplaced(account: str, payment_intent: str, charge: str) -> None:
    """After storing an unplaced refund/dispute: the payment may have learned its id in
    a transaction that committed meanwhile (two workers); adopt now if so."""
    payment = _payment_for(account=account, payment_intent=payment_intent, charge=charge)
    if payment is not None:
        _apply(payment.pk, _adopt)


def _set_once(payment: OnlinePayment, field: str, at: datetime) -> None:
    if getattr(payment, field) is None:
        setattr(payment, field, at)


def _facts(payment: OnlinePayment) -> tuple:
    return (
        payment.processing_at,
        payment.succeeded_at,
        payment.failed_at,
        payment.expired_at,
        payment.charge_amount_refunded,
        payment.payment_intent_id,
        payment.charge_id,
        payment.method,
        payment.failure_message,
    )


def _apply(payment_id: int, change) -> str:
    """Lock, let `change` record its facts, and settle the payment and invoice when a fact
    is new (`change` returns True when it changed a refund or dispute row). A late or
    duplicate event adds nothing and writes nothing."""
    with transaction.atomic():
        payment = _locked(payment_id)
        before = _facts(payment)
        booked = payment_booked(payment)
        rows_changed = change(payment)
        if rows_changed or _facts(payment) != before:
            _settle(payment, booked_before=booked)
    return StripeEventStatus.PROCESSED


# --- handlers (registered in firmpay/payments/stripe/events.py) -------------------------


def handle_checkout_session(event: EventEnvelope) -> str:
    """checkout.session.completed / async_payment_succeeded / async_payment_failed / expired."""
    session = session_from_stripe(event.object)
    payment = _payment_for(
        account=event.account, metadata=session.metadata, payment_intent=session.payment_intent
    ) or (
        OnlinePayment.objects.filter(
            stripe_account_id=event.account, checkout_session_id=session.id
        ).first()
        if event.account
        else None
    )
    if payment is None or payment.checkout_session_id not in ("", session.id):
        return StripeEventStatus.IGNORED
    method = method_from_stripe(event.object)

    def change(p: OnlinePayment) -> None:
        kind = event.type.removeprefix("checkout.session.")
        _learn_ids(
            p,
            payment_intent=session.payment_intent,
            method=method or _infer(p, kind, session.payment_status),
        )
        if kind == "expired":
            _set_once(p, "expired_at", event.created)
        elif kind == "async_payment_failed":
            _set_once(p, "failed_at", event.created)
        elif kind == "async_payment_succeeded" or session.payment_status == "paid":
            _set_once(p, "succeeded_at", event.created)
        elif kind == "completed":
            # Completed but unpaid: a bank debit was initiated and settles later.
            _set_once(p, "processing_at", event.created)

    return _apply(payment.pk, change)


def _infer(payment: OnlinePayment, kind: str, payment_status: str) -> str:
    """The method when the session does not say: paid at completion is a card; unpaid at
    completion is a bank debit (the one the session allowed)."""
    if kind != "completed":
        return ""
    if payment_status == "paid":
        return "card"
    debits = [m for m in payment.allowed_methods if m in DEBIT_METHODS]
    return debits[0] if len(debits) == 1 else ""


def handle_payment_intent(event: EventEnvelope) -> str:
    """payment_intent.processing / succeeded / payment_failed / canceled."""
    intent = event.object
    payment = _payment_for(
        account=event.account, metadata=intent.get("metadata"), payment_intent=intent.get("id", "")
    )
    if payment is None:
        return StripeEventStatus.IGNORED
    charge = intent.get("latest_charge")
    charge = charge.get("id") if isinstance(charge, dict) else (charge or "")
    error = intent.get("last_payment_error") or {}
    method = (error.get("payment_method") or {}).get("type") or method_from_stripe(intent)

    def change(p: OnlinePayment) -> None:
        _learn_ids(p, payment_intent=intent.get("id", ""), charge=charge, method=method)
        kind = event.type.removeprefix("payment_intent.")
        if kind == "processing":
            _set_once(p, "processing_at", event.created)
        elif kind == "succeeded":
            _set_once(p, "succeeded_at", event.created)
        elif kind == "payment_failed":
            p.failure_message = (error.get("message") or "Payment failed")[:500]
            # A declined card leaves the checkout open for another try; a bank debit
            # that fails is over.
            if (p.method or method) in DEBIT_METHODS:
                _set_once(p, "failed_at", event.created)

    return _apply(payment.pk, change)


def handle_charge(event: EventEnvelope) -> str:
    """charge.succeeded / pending / failed / refunded / updated: ids, method, refunds."""
    charge = charge_from_stripe(event.object)
    payment = _payment_for(
        account=event.account,
        metadata=charge.metadata,
        payment_intent=charge.payment_intent,
        charge=charge.id,
    )
    if payment is None:
        if event.type == "charge.refunded":
            return _refunds_unplaced(event, charge)
        return StripeEventStatus.IGNORED

    def change(p: OnlinePayment) -> bool:
        _learn_ids(p, payment_intent=charge.payment_intent, charge=charge.id, method=charge.method)
        kind = event.type.removeprefix("charge.")
        if kind == "pending" and charge.method in DEBIT_METHODS:
            _set_once(p, "processing_at", event.created)
        elif kind == "succeeded":
            _set_once(p, "succeeded_at", event.created)
        elif kind == "failed" and (p.method or charge.method) in DEBIT_METHODS:
            # A bank debit that failed, or was returned after it had settled.
            _set_once(p, "failed_at", event.created)
            p.failure_message = p.failure_message or "The bank debit failed."
        if charge.amount_refunded > p.charge_amount_refunded:
            p.charge_amount_refunded = charge.amount_refunded
        changed = False
        for refund in charge.refunds:
            row = _refund_upsert(refund, firm_id=p.firm_id, account=p.stripe_account_id, payment=p)
            changed = changed or row.changed
        return changed

    return _apply(payment.pk, change)


from firmpay.payments.services.payment_refund_events import (  # noqa: E402 - uses the above
    _refund_upsert,
    _refunds_unplaced,
    handle_dispute,
    handle_refund,
)

PAYMENT_HANDLERS = {
    "checkout.session.completed": handle_checkout_session,
    "checkout.session.async_payment_succeeded": handle_checkout_session,
    "checkout.session.async_payment_failed": handle_checkout_session,
    "checkout.session.expired": handle_checkout_session,
    "payment_intent.processing": handle_payment_intent,
    "payment_intent.succeeded": handle_payment_intent,
    "payment_intent.payment_failed": handle_payment_intent,
    "charge.pending": handle_charge,
    "charge.succeeded": handle_charge,
    "charge.failed": handle_charge,
    "charge.refunded": handle_charge,
    "charge.updated": handle_charge,
    "refund.created": handle_refund,
    "refund.updated": handle_refund,
    "refund.failed": handle_refund,
    "charge.refund.updated": handle_refund,
    "charge.dispute.created": handle_dispute,
    "charge.dispute.updated": handle_dispute,
    "charge.dispute.closed": handle_dispute,
    "charge.dispute.funds_withdrawn": handle_dispute,
    "charge.dispute.funds_reinstated": handle_dispute,
}


def now() -> datetime:
    return timezone.now()
