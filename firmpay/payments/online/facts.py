"""What payment facts do to our payments and invoices (appliers registered with
`@fact_applier`; refunds and disputes are in `refund_facts.py`, the shared state rules in
`state.py`). A fact already on the payment's row (the success a batch of automatic charges
recorded, then told again by the intent's and the charge's events; any duplicate) costs the
read that found the payment and nothing else (`payment_apply`)."""

from __future__ import annotations

from firmpay.payments.facts import (
    PaymentFailed,
    PaymentNoticed,
    PaymentProcessing,
    PaymentRef,
    PaymentRefundedTotal,
    PaymentSessionExpired,
    PaymentSucceeded,
    fact_applier,
)
from firmpay.payments.models import StripeEventStatus
from firmpay.payments.online.models import DEBIT_METHODS, OnlinePayment
from firmpay.payments.online.state import (
    payment_apply,
    payment_for_ref,
    payment_learn_ids,
    set_once,
)


def _payment(ref: PaymentRef) -> OnlinePayment | None:
    payment = payment_for_ref(ref)
    # A session of ours that is not this payment's (a retired one) says nothing about it.
    if payment is not None and ref.session and payment.checkout_session_id not in ("", ref.session):
        return None
    return payment


def _debit_guess(payment: OnlinePayment) -> str:
    """Unpaid at completion is a bank debit: the one the session allowed, if only one."""
    debits = [m for m in payment.allowed_methods if m in DEBIT_METHODS]
    return debits[0] if len(debits) == 1 else ""


@fact_applier(PaymentNoticed)
def payment_noticed_apply(fact: PaymentNoticed) -> str:
    payment = _payment(fact.ref)
    if payment is None:
        return StripeEventStatus.IGNORED
    return payment_apply(payment, fact.ref, lambda p: payment_learn_ids(p, fact.ref))


@fact_applier(PaymentProcessing)
def payment_processing_apply(fact: PaymentProcessing) -> str:
    payment = _payment(fact.ref)
    if payment is None:
        return StripeEventStatus.IGNORED

    def change(p: OnlinePayment) -> None:
        payment_learn_ids(p, fact.ref)
        if not p.method:
            p.method = _debit_guess(p)
        if p.method != "card":  # cards do not wait days; only debits are "on their way"
            set_once(p, "processing_at", fact.at)

    return payment_apply(payment, fact.ref, change)


@fact_applier(PaymentSucceeded)
def payment_succeeded_apply(fact: PaymentSucceeded) -> str:
    payment = _payment(fact.ref)
    if payment is None:
        return StripeEventStatus.IGNORED

    def change(p: OnlinePayment) -> None:
        payment_learn_ids(p, fact.ref)
        set_once(p, "succeeded_at", fact.at)

    return payment_apply(payment, fact.ref, change)


@fact_applier(PaymentFailed)
def payment_failed_apply(fact: PaymentFailed) -> str:
    payment = _payment(fact.ref)
    if payment is None:
        return StripeEventStatus.IGNORED

    def change(p: OnlinePayment) -> None:
        payment_learn_ids(p, fact.ref)
        if fact.message:
            p.failure_message = fact.message[:500]
        # A declined card leaves the checkout open for another try; a bank debit that
        # fails (or is returned after it settled) is over.
        if fact.final or (p.method or fact.ref.method) in DEBIT_METHODS:
            set_once(p, "failed_at", fact.at)
            p.failure_message = p.failure_message or "The bank debit failed."

    return payment_apply(payment, fact.ref, change)


@fact_applier(PaymentSessionExpired)
def payment_session_expired_apply(fact: PaymentSessionExpired) -> str:
    payment = _payment(fact.ref)
    if payment is None:
        return StripeEventStatus.IGNORED

    def change(p: OnlinePayment) -> None:
        payment_learn_ids(p, fact.ref)
        set_once(p, "expired_at", fact.at)

    return payment_apply(payment, fact.ref, change)


@fact_applier(PaymentRefundedTotal)
def payment_refunded_total_apply(fact: PaymentRefundedTotal) -> str:
    """The processor's total only ever grows; each refund itself comes as a Refunded fact
    (a total for a payment we do not know yet is not kept: its refunds are)."""
    payment = _payment(fact.ref)
    if payment is None:
        return StripeEventStatus.IGNORED

    def change(p: OnlinePayment) -> None:
        payment_learn_ids(p, fact.ref)
        if fact.amount_refunded > p.charge_amount_refunded:
            p.charge_amount_refunded = fact.amount_refunded

    return payment_apply(payment, fact.ref, change)
