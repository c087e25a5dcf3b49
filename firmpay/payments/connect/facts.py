"""What account facts do (appliers registered with `@fact_applier`).

An applier takes a fact and returns the event row's final status (processed or ignored);
raising marks the row failed and it is retried with backoff.
"""

from __future__ import annotations

from firmpay.payments.connect.accounts import (
    payment_account_mark_deauthorized,
    payment_account_refresh,
)
from firmpay.payments.exceptions import AccountAccessLost
from firmpay.payments.facts import (
    AccountChanged,
    AccountDeauthorized,
    PayoutChanged,
    fact_applier,
)
from firmpay.payments.hooks import payment_hooks_run
from firmpay.payments.models import PaymentAccount, StripeEventStatus


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


@fact_applier(AccountChanged)
def account_changed_apply(fact: AccountChanged) -> str:
    """Retrieve the account fresh and recompute (the event's own copy may be stale or out
    of order)."""
    account = _connected_account(fact.account)
    if account is None:
        return StripeEventStatus.IGNORED
    # A read from Stripe that started after we received this event already reflects it
    # (both times on our clock): a burst of events for one account costs one retrieve.
    fresh = account.snapshot_at and fact.received_at and account.snapshot_at > fact.received_at
    if not fresh:
        try:
            payment_account_refresh(account=account)
        except AccountAccessLost:
            payment_account_mark_deauthorized(account=account, at=fact.at)
    return StripeEventStatus.PROCESSED


@fact_applier(AccountDeauthorized)
def account_deauthorized_apply(fact: AccountDeauthorized) -> str:
    """The account revoked Firmpay's access."""
    account = _connected_account(fact.account)
    # An old event must not cut a connection made after it (reconnected via OAuth).
    if account is None or fact.at < account.created_at.replace(microsecond=0):
        return StripeEventStatus.IGNORED
    payment_account_mark_deauthorized(account=account, at=fact.at)
    return StripeEventStatus.PROCESSED


@fact_applier(PayoutChanged)
def payout_changed_apply(fact: PayoutChanged) -> str:
    """A payout reaches the firm's bank even after a disconnect: recorded against the
    account's latest connection, by whoever listens (firmpay/payouts)."""
    account = (
        PaymentAccount.objects.filter(stripe_account_id=fact.account)
        .select_related("firm")
        .order_by("-created_at")
        .first()
    )
    if account is None:
        return StripeEventStatus.IGNORED
    listened = payment_hooks_run("payout_changed", account=account, payout=fact.payout, at=fact.at)
    return StripeEventStatus.PROCESSED if listened else StripeEventStatus.IGNORED
