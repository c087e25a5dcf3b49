"""The one table of Stripe event handlers: {event type: handler}.

Types not listed are stored and marked ignored. The payments issue adds checkout and
payment intent handlers here.
"""

from __future__ import annotations

from collections.abc import Callable

from firmpay.payments.handlers import (
    handle_account_changed,
    handle_account_deauthorized,
    handle_payout,
)
from firmpay.payments.stripe.dataclasses import EventEnvelope

HANDLERS: dict[str, Callable[[EventEnvelope], str]] = {
    "account.updated": handle_account_changed,
    "capability.updated": handle_account_changed,
    "account.external_account.created": handle_account_changed,
    "account.external_account.updated": handle_account_changed,
    "account.external_account.deleted": handle_account_changed,
    "account.application.deauthorized": handle_account_deauthorized,
    # Payouts to the firm's bank (firmpay/payouts listens through payments/hooks.py).
    "payout.created": handle_payout,
    "payout.updated": handle_payout,
    "payout.paid": handle_payout,
    "payout.failed": handle_payout,
    "payout.canceled": handle_payout,
    "payout.reconciliation_completed": handle_payout,
}

# Online payments of invoices (issue 5): checkout sessions, payment intents, charges,
# refunds and disputes on connected accounts.
from firmpay.payments.services.payment_events import PAYMENT_HANDLERS  # noqa: E402

HANDLERS.update(PAYMENT_HANDLERS)
