"""Applying payment facts: the one entry point the event pipeline calls per stored event.

`stripe_event_apply(event)` maps a stored Stripe event to facts through the table in
`payments/stripe/events.py` and applies each with `payment_fact_apply`, which dispatches
through the one applier table (`firmpay.payments.facts.FACT_APPLIERS`). A second processor
would add its own `<processor>_event_apply` beside it and reuse `payment_fact_apply`.
"""

from __future__ import annotations

# The modules that register appliers into FACT_APPLIERS: imported here so the table is
# complete wherever facts are applied.
import firmpay.payments.autopay.health  # noqa: F401
import firmpay.payments.connect.facts  # noqa: F401
import firmpay.payments.online.facts  # noqa: F401
import firmpay.payments.online.refund_facts  # noqa: F401
from firmpay.payments.facts import FACT_APPLIERS, PaymentFact
from firmpay.payments.models import StripeEventStatus
from firmpay.payments.stripe.dataclasses import EventEnvelope
from firmpay.payments.stripe.endpoints import PINNED_API_VERSION
from firmpay.payments.stripe.events import payment_facts_from_event


def payment_fact_apply(*, fact: PaymentFact) -> str:
    """Apply one fact. Returns "processed", or "ignored" when it concerns nothing of ours
    (an account or payment we do not know). Raises to have the event retried."""
    return FACT_APPLIERS[type(fact)](fact)


def stripe_event_apply(event: EventEnvelope) -> str:
    """What one stored Stripe event does; returns the row's status (processed | ignored |
    flagged). An event rendered in another API version than the SDK's is never read: it
    is flagged for the operator (`manage.py stripe_events_flagged`, the support back office)."""
    if event.api_version and event.api_version != PINNED_API_VERSION:
        return StripeEventStatus.FLAGGED
    facts = payment_facts_from_event(event)
    if not facts:
        return StripeEventStatus.IGNORED
    outcomes = [payment_fact_apply(fact=fact) for fact in facts]
    if StripeEventStatus.PROCESSED in outcomes:
        return StripeEventStatus.PROCESSED
    return StripeEventStatus.IGNORED
