"""What each Stripe event does. Registered in the table in `stripe/events.py`.

A handler takes an EventEnvelope and returns the row's final status (processed or
ignored); raising marks the row failed and it is retried with backoff.
"""

from __future__ import annotations

from firmpay.payments.exceptions import AccountAccessLost
from firmpay.payments.hooks import payment_hooks_run
from firmpay.payments.models import PaymentAccount, StripeEventStatus
from firmpay.payments.services.accounts import (
    payment_account_mark_deauthorized,
    payment_account_refresh,
)
from firmpay.payments.stripe.dataclasses import EventEnvelope
from firmpay.payments.stripe.payouts import payout_from_stripe


def _connected_account(stripe_account_id: str) -> PaymentAccount | None:
    if not stripe_account_id:
        return None
    return (
        PaymentAccount.objects.filter(
            stripe_account_id=stripe_account_id, disconnected_at__isnull=True
        )
        .select_related("firm")
        .first()
    )


def handle_account_changed(event: EventEnvelope) -> str:
    """account.updated, capability.updated, account.external_account.*: retrieve the
    account fresh and recompute (the event's own copy may be stale or out of order)."""
    account_id = event.account or (
        event.object.get("id") if event.type == "account.updated" else ""
    )
    account = _connected_account(account_id)
    if account is None:
        return StripeEventStatus.IGNORED
    # A read from Stripe that started after we received this event already reflects it
    # (both times on our clock): a burst of events for one account costs one retrieve.
    fresh = account.snapshot_at and event.received_at and account.snapshot_at > event.received_at
    if not fresh:
        try:
            payment_account_refresh(account=account)
        except AccountAccessLost:
            payment_account_mark_deauthorized(account=account, at=event.created)
    return StripeEventStatus.PROCESSED


def handle_account_deauthorized(event: EventEnvelope) -> str:
    """account.application.deauthorized: the account revoked Firmpay's access."""
    account = _connected_account(event.account)
    # An old event must not cut a connection made after it (reconnected via OAuth).
    if account is None or event.created < account.created_at.replace(microsecond=0):
        return StripeEventStatus.IGNORED
    payment_account_mark_deauthorized(account=account, at=event.created)
    return StripeEventStatus.PROCESSED


def handle_payout(event: EventEnvelope) -> str:
    """payout.*: the money on its way to the firm's bank. Recorded even after a disconnect
    (the payout still reaches the bank), against the account's latest connection."""
    if not event.account:
        return StripeEventStatus.IGNORED
    account = (
        PaymentAccount.objects.filter(stripe_account_id=event.account)
        .select_related("firm")
        .order_by("-created_at")
        .first()
    )
    if account is None:
        return StripeEventStatus.IGNORED
    payout = payout_from_stripe(event.object)
    listened = payment_hooks_run("payout_changed", account=account, payout=payout, at=event.created)
    return StripeEventStatus.PROCESSED if listened else StripeEventStatus.IGNORED
