"""Payment facts: what a payment processor told us, in our words, whichever processor it is.

A processor adapter (today `payments/stripe/events.py`) maps each of its events to zero or
more facts; `payments/services/facts.py:payment_fact_apply` applies one. Facts record what
happened and when (the processor's time); applying the same fact twice, or facts in any
order, ends in the same state.

Each fact type has exactly one applier, registered with `@fact_applier(FactType)` in the
module that owns the behaviour (`connect/facts.py`, `online/facts.py`,
`online/refund_facts.py`); `FACT_APPLIERS` is that one table. This module imports nothing of
Firmpay: adapters and services both import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class PaymentRef:
    """Which payment a fact is about, as the processor names it (any id may be empty)."""

    account: str  # the processor account the money moved on (Stripe: the connected account)
    payment_id: int | None = None  # our OnlinePayment id, when the processor echoes it back
    session: str = ""  # hosted payment page (Stripe: Checkout Session)
    intent: str = ""  # the payment as the processor tracks it (Stripe: PaymentIntent)
    charge: str = ""  # one attempt to move the money (Stripe: Charge)
    method: str = ""  # card | us_bank_account | bacs_debit, when known


# --- payments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentNoticed:
    """Ids and method of a payment, nothing else new (e.g. a charge was updated)."""

    ref: PaymentRef
    at: datetime


@dataclass(frozen=True)
class PaymentProcessing:
    """A bank debit was initiated and settles days later."""

    ref: PaymentRef
    at: datetime


@dataclass(frozen=True)
class PaymentSucceeded:
    ref: PaymentRef
    at: datetime


@dataclass(frozen=True)
class PaymentFailed:
    """An attempt failed. A failed bank debit (or one returned after it settled) ends the
    payment; a declined card leaves the page open for another try. `final`: over whatever
    the method."""

    ref: PaymentRef
    at: datetime
    message: str = ""
    final: bool = False


@dataclass(frozen=True)
class PaymentSessionExpired:
    ref: PaymentRef
    at: datetime


@dataclass(frozen=True)
class PaymentRefundedTotal:
    """The processor's running total refunded on the payment (minor units)."""

    ref: PaymentRef
    at: datetime
    amount_refunded: int


# --- refunds and disputes ----------------------------------------------------------------


@dataclass(frozen=True)
class Refunded:
    """A refund exists or moved on: status pending | requires_action | succeeded."""

    ref: PaymentRef
    at: datetime
    refund_id: str
    amount: int
    currency: str  # upper case
    status: str
    our_refund_id: int | None = None  # our PaymentRefund id, when the processor echoes it


@dataclass(frozen=True)
class RefundFailed:
    """A refund failed or was canceled (status failed | canceled): the money stays paid."""

    ref: PaymentRef
    at: datetime
    refund_id: str
    amount: int
    currency: str
    status: str
    our_refund_id: int | None = None


@dataclass(frozen=True)
class Disputed:
    """A dispute opened or moved on (still open)."""

    ref: PaymentRef
    at: datetime
    dispute_id: str
    amount: int
    currency: str
    status: str  # the processor's own status, shown to the firm
    reason: str = ""
    evidence_due_by: datetime | None = None


@dataclass(frozen=True)
class DisputeClosed:
    ref: PaymentRef
    at: datetime
    dispute_id: str
    amount: int
    currency: str
    status: str
    won: bool
    reason: str = ""
    evidence_due_by: datetime | None = None


# --- accounts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountChanged:
    """Something about a processor account changed: read it fresh (the event's copy may be
    stale or out of order). `received_at` is our clock, to skip reads that already cover it."""

    account: str
    at: datetime
    received_at: datetime | None = None


@dataclass(frozen=True)
class AccountDeauthorized:
    """The account revoked Firmpay's access."""

    account: str
    at: datetime


# --- payouts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PayoutState:
    """A payout of the processor account to the firm's bank, as the processor has it."""

    id: str
    amount: int
    currency: str  # upper case, like ours
    status: str  # pending | in_transit | paid | failed | canceled
    automatic: bool  # made by the processor's schedule (itemised), not by hand
    arrival_date: date | None
    created: datetime | None
    failure_code: str = ""
    failure_message: str = ""


@dataclass(frozen=True)
class PayoutChanged:
    """A payout was created or moved on (in transit, paid, failed, canceled)."""

    account: str
    payout: PayoutState
    at: datetime


# --- saved payment methods (autopay) -------------------------------------------------------


@dataclass(frozen=True)
class MethodSaved:
    """A client completed a setup: a method (and, for debits, a mandate) is saved."""

    account: str
    setup_intent: str
    at: datetime
    authorisation_id: int | None = None  # ours, when the processor echoes it back


@dataclass(frozen=True)
class MandateChanged:
    account: str
    mandate: str
    status: str  # active | inactive | pending
    at: datetime
    reason: str = ""


@dataclass(frozen=True)
class MethodDetached:
    account: str
    payment_method: str
    at: datetime


@dataclass(frozen=True)
class CardChanged:
    """A saved card's details changed (`automatic`: the card network sent new ones)."""

    account: str
    payment_method: str
    at: datetime
    exp_month: int | None = None
    exp_year: int | None = None
    last4: str = ""
    automatic: bool = False


PaymentFact = (
    PaymentNoticed
    | PaymentProcessing
    | PaymentSucceeded
    | PaymentFailed
    | PaymentSessionExpired
    | PaymentRefundedTotal
    | Refunded
    | RefundFailed
    | Disputed
    | DisputeClosed
    | AccountChanged
    | AccountDeauthorized
    | PayoutChanged
    | MethodSaved
    | MandateChanged
    | MethodDetached
    | CardChanged
)

# {fact type: applier(fact) -> "processed" | "ignored"}; filled by @fact_applier.
FACT_APPLIERS: dict[type, Callable[..., str]] = {}


def fact_applier(*fact_types: type) -> Callable:
    """Register the decorated function as the one applier of `fact_types`."""

    def register(function: Callable[..., str]) -> Callable[..., str]:
        for fact_type in fact_types:
            if FACT_APPLIERS.get(fact_type, function) is not function:
                raise ValueError(f"{fact_type.__name__} already has an applier")
            FACT_APPLIERS[fact_type] = function
        return function

    return register
