"""Writes of the payments app. Import from here: `from firmpay.payments.services import ...`."""

from firmpay.payments.connect.accounts import (
    open_checkout_sessions_expire,
    payment_account_create,
    payment_account_dashboard_link,
    payment_account_disconnect,
    payment_account_mark_deauthorized,
    payment_account_onboarding_link,
    payment_account_refresh,
)
from firmpay.payments.connect.oauth import oauth_complete, oauth_start
from firmpay.payments.services.events import (
    stripe_event_ingest,
    stripe_event_process,
    stripe_event_replay,
    stripe_events_purge,
    stripe_events_reconcile,
    stripe_events_replay_failed,
    stripe_events_sweep,
)

__all__ = [
    "oauth_complete",
    "oauth_start",
    "open_checkout_sessions_expire",
    "payment_account_create",
    "payment_account_dashboard_link",
    "payment_account_disconnect",
    "payment_account_mark_deauthorized",
    "payment_account_onboarding_link",
    "payment_account_refresh",
    "stripe_event_ingest",
    "stripe_event_process",
    "stripe_event_replay",
    "stripe_events_purge",
    "stripe_events_reconcile",
    "stripe_events_replay_failed",
    "stripe_events_sweep",
]
