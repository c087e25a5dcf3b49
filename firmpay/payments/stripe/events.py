"""The one table of Stripe events Firmpay handles: {event type: mapper}.

A mapper turns a Stripe event (EventEnvelope, plain JSON) into processor-neutral payment
facts (`firmpay/payments/facts.py`); `payments/services/facts.py` applies them. The Connect
webhook endpoint subscribes to exactly the types in this table (`SUBSCRIBED_EVENT_TYPES`,
used by `stripe_setup`); types not listed are stored and marked ignored.

Refunds come from `refund.*` / `charge.refund.updated` events, one refund each: since API
2022-11-15 a charge no longer carries its refunds (`charge.refunds` is an expandable list
that events do not expand), so `charge.refunded` only tells the running total.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from firmpay.payments.facts import (
    AccountChanged,
    AccountDeauthorized,
    CardChanged,
    DisputeClosed,
    Disputed,
    MandateChanged,
    MethodDetached,
    MethodSaved,
    PaymentFact,
    PaymentFailed,
    PaymentNoticed,
    PaymentProcessing,
    PaymentRef,
    PaymentRefundedTotal,
    PaymentSessionExpired,
    PaymentSucceeded,
    PayoutChanged,
    Refunded,
    RefundFailed,
)
from firmpay.payments.stripe.dataclasses import EventEnvelope
from firmpay.payments.stripe.mappers import from_timestamp
from firmpay.payments.stripe.payouts import payout_from_stripe

Facts = tuple[PaymentFact, ...]


def _id(value) -> str:
    if isinstance(value, Mapping):
        return value.get("id") or ""
    return value or ""


def _our_id(metadata: Mapping | None, key: str) -> int | None:
    """One of our row ids echoed in metadata; anything else (a signed event may carry
    anything) is no id, never an error."""
    value = str((metadata or {}).get(key) or "")
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def method_from_stripe(data: Mapping) -> str:
    """The payment method type of a charge, payment intent or session, when it says."""
    details = data.get("payment_method_details") or {}
    if details.get("type"):
        return details["type"]
    types = data.get("payment_method_types") or []
    return types[0] if len(types) == 1 else ""


# --- accounts ----------------------------------------------------------------------------


def account_changed(event: EventEnvelope) -> Facts:
    """account.updated, capability.updated, account.external_account.*."""
    account = event.account or (event.object.get("id") if event.type == "account.updated" else "")
    if not account:
        return ()
    return (AccountChanged(account=account, at=event.created, received_at=event.received_at),)


def account_deauthorized(event: EventEnvelope) -> Facts:
    if not event.account:
        return ()
    return (AccountDeauthorized(account=event.account, at=event.created),)


# --- payments ----------------------------------------------------------------------------


def checkout_session(event: EventEnvelope) -> Facts:
    """checkout.session.completed / async_payment_succeeded / async_payment_failed / expired."""
    session = event.object
    kind = event.type.removeprefix("checkout.session.")
    if session.get("mode") == "setup":
        return _setup_saved(event, session) if kind == "completed" else ()
    paid = session.get("payment_status") == "paid"
    method = method_from_stripe(session)
    if not method and kind == "completed" and paid:
        method = "card"  # paid the moment Checkout completed: only a card does that here
    ref = PaymentRef(
        account=event.account,
        payment_id=_our_id(session.get("metadata"), "firmpay_payment_id"),
        session=session.get("id") or "",
        intent=_id(session.get("payment_intent")),
        method=method,
    )
    if kind == "expired":
        return (PaymentSessionExpired(ref=ref, at=event.created),)
    if kind == "async_payment_failed":
        return (PaymentFailed(ref=ref, at=event.created, final=True),)
    if kind == "async_payment_succeeded" or paid:
        return (PaymentSucceeded(ref=ref, at=event.created),)
    # Completed but unpaid: a bank debit was initiated and settles later.
    return (PaymentProcessing(ref=ref, at=event.created),)


def payment_intent(event: EventEnvelope) -> Facts:
    """payment_intent.processing / succeeded / payment_failed."""
    intent = event.object
    error = intent.get("last_payment_error") or {}
    ref = PaymentRef(
        account=event.account,
        payment_id=_our_id(intent.get("metadata"), "firmpay_payment_id"),
        intent=intent.get("id") or "",
        charge=_id(intent.get("latest_charge")),
        method=(error.get("payment_method") or {}).get("type") or method_from_stripe(intent),
    )
    kind = event.type.removeprefix("payment_intent.")
    if kind == "processing":
        return (PaymentProcessing(ref=ref, at=event.created),)
    if kind == "succeeded":
        return (PaymentSucceeded(ref=ref, at=event.created),)
    message = error.get("message") or "Payment failed"
    return (PaymentFailed(ref=ref, at=event.created, message=message),)


_CHARGE_FACT = {
    "charge.pending": PaymentProcessing,
    "charge.succeeded": PaymentSucceeded,
    "charge.failed": PaymentFailed,  # a debit that failed, or was returned after it settled
    "charge.refunded": PaymentNoticed,
    "charge.updated": PaymentNoticed,
}


def charge(event: EventEnvelope) -> Facts:
    """charge.pending / succeeded / failed / refunded / updated: ids, method, the outcome,
    and the total refunded (never `charge.refunds`: see the module docstring)."""
    data = event.object
    ref = PaymentRef(
        account=event.account,
        payment_id=_our_id(data.get("metadata"), "firmpay_payment_id"),
        intent=_id(data.get("payment_intent")),
        charge=data.get("id") or "",
        method=method_from_stripe(data),
    )
    facts: list[PaymentFact] = [_CHARGE_FACT[event.type](ref=ref, at=event.created)]
    refunded = int(data.get("amount_refunded") or 0)
    if refunded:
        facts.append(PaymentRefundedTotal(ref=ref, at=event.created, amount_refunded=refunded))
    return tuple(facts)


def refund_fact_from_stripe(data: Mapping, *, account: str, at) -> Refunded | RefundFailed:
    """A Stripe Refund object (an event's, or an API answer) as a fact."""
    status = data.get("status") or "pending"
    fact = RefundFailed if status in ("failed", "canceled") else Refunded
    return fact(
        ref=PaymentRef(
            account=account,
            intent=_id(data.get("payment_intent")),
            charge=_id(data.get("charge")),
        ),
        at=at,
        refund_id=data["id"],
        amount=int(data.get("amount") or 0),
        currency=(data.get("currency") or "").upper(),
        status=status,
        our_refund_id=_our_id(data.get("metadata"), "firmpay_refund_id"),
    )


def refund(event: EventEnvelope) -> Facts:
    """refund.created / updated / failed, charge.refund.updated."""
    return (refund_fact_from_stripe(event.object, account=event.account, at=event.created),)


def dispute(event: EventEnvelope) -> Facts:
    """charge.dispute.created / updated / closed / funds_withdrawn / funds_reinstated."""
    data = event.object
    status = data.get("status") or ""
    common = {
        "ref": PaymentRef(
            account=event.account,
            intent=_id(data.get("payment_intent")),
            charge=_id(data.get("charge")),
        ),
        "at": event.created,
        "dispute_id": data["id"],
        "amount": int(data.get("amount") or 0),
        "currency": (data.get("currency") or "").upper(),
        "status": status,
        "reason": data.get("reason") or "",
        "evidence_due_by": from_timestamp((data.get("evidence_details") or {}).get("due_by")),
    }
    if status in ("won", "lost"):
        return (DisputeClosed(won=status == "won", **common),)
    return (Disputed(**common),)


def payout(event: EventEnvelope) -> Facts:
    """payout.*: money on its way to (or back from) the firm's bank."""
    if not event.account:
        return ()
    return (
        PayoutChanged(
            account=event.account, payout=payout_from_stripe(event.object), at=event.created
        ),
    )


# --- saved methods (autopay) ---------------------------------------------------------------


def _setup_saved(event: EventEnvelope, data: Mapping) -> Facts:
    setup_intent = (
        _id(data.get("setup_intent")) if data.get("object") != "setup_intent" else data.get("id")
    )
    if not setup_intent or not event.account:
        return ()
    return (
        MethodSaved(
            account=event.account,
            setup_intent=setup_intent,
            at=event.created,
            authorisation_id=_our_id(data.get("metadata"), "firmpay_authorisation_id"),
        ),
    )


def setup_intent(event: EventEnvelope) -> Facts:
    """setup_intent.succeeded: the method is saved (checkout.session.completed says it too)."""
    return _setup_saved(event, event.object)


def mandate(event: EventEnvelope) -> Facts:
    """mandate.updated: revoked at the bank (inactive), or accepted."""
    data = event.object
    bacs = (data.get("payment_method_details") or {}).get("bacs_debit") or {}
    return (
        MandateChanged(
            account=event.account,
            mandate=data.get("id") or "",
            status=data.get("status") or "",
            at=event.created,
            reason=bacs.get("revocation_reason") or "",
        ),
    )


def payment_method(event: EventEnvelope) -> Facts:
    """payment_method.attached / detached / updated / automatically_updated."""
    data = event.object
    kind = event.type.removeprefix("payment_method.")
    if kind == "detached":
        return (
            MethodDetached(
                account=event.account, payment_method=data.get("id") or "", at=event.created
            ),
        )
    if kind == "attached":
        return ()  # the setup's own facts activate the method
    card = data.get("card") or {}
    return (
        CardChanged(
            account=event.account,
            payment_method=data.get("id") or "",
            at=event.created,
            exp_month=card.get("exp_month"),
            exp_year=card.get("exp_year"),
            last4=card.get("last4") or "",
            automatic=kind == "automatically_updated",
        ),
    )


EVENT_MAPPERS: dict[str, Callable[[EventEnvelope], Facts]] = {
    "account.updated": account_changed,
    "capability.updated": account_changed,
    "account.external_account.created": account_changed,
    "account.external_account.updated": account_changed,
    "account.external_account.deleted": account_changed,
    "account.application.deauthorized": account_deauthorized,
    "checkout.session.completed": checkout_session,
    "checkout.session.async_payment_succeeded": checkout_session,
    "checkout.session.async_payment_failed": checkout_session,
    "checkout.session.expired": checkout_session,
    "payment_intent.processing": payment_intent,
    "payment_intent.succeeded": payment_intent,
    "payment_intent.payment_failed": payment_intent,
    "charge.pending": charge,
    "charge.succeeded": charge,
    "charge.failed": charge,
    "charge.refunded": charge,
    "charge.updated": charge,
    "refund.created": refund,
    "refund.updated": refund,
    "refund.failed": refund,
    "charge.refund.updated": refund,
    "charge.dispute.created": dispute,
    "charge.dispute.updated": dispute,
    "charge.dispute.closed": dispute,
    "charge.dispute.funds_withdrawn": dispute,
    "charge.dispute.funds_reinstated": dispute,
    "payout.created": payout,
    "payout.updated": payout,
    "payout.paid": payout,
    "payout.failed": payout,
    "payout.canceled": payout,
    "payout.reconciliation_completed": payout,
    "setup_intent.succeeded": setup_intent,
    "mandate.updated": mandate,
    "payment_method.attached": payment_method,
    "payment_method.detached": payment_method,
    "payment_method.updated": payment_method,
    "payment_method.automatically_updated": payment_method,
}

# What the Connect webhook endpoint subscribes to: exactly what the table handles.
SUBSCRIBED_EVENT_TYPES: tuple[str, ...] = tuple(sorted(EVENT_MAPPERS))


def payment_facts_from_event(event: EventEnvelope) -> Facts | None:
    """The facts a Stripe event tells, or None for a type Firmpay does not handle."""
    mapper = EVENT_MAPPERS.get(event.type)
    return None if mapper is None else mapper(event)
