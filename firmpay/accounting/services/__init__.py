"""Writes of the accounting app. Import from here: `from firmpay.accounting.services import ...`.

Entry points for other apps (each writes an outbox row in the caller's transaction and
kicks a task after commit; without a live accounting connection they do nothing):
`accounting_on_invoice_sent`, `accounting_on_invoice_voided`,
`accounting_on_payment_succeeded` (`accounting_on_payments_succeeded` for several),
`accounting_on_payment_reversed`,
`accounting_on_payout_changed` (books paid payouts where the firm chose to).
"""

from firmpay.accounting.services.connect import (
    connection_accounts,
    connection_accounts_choose,
    connection_disconnect,
    connection_needs_tax_codes,
    connection_organisation_choose,
    connection_tax_rates,
    oauth_complete,
    oauth_start,
)
from firmpay.accounting.services.outbox import (
    accounting_on_invoice_sent,
    accounting_on_invoice_voided,
    accounting_on_payment_reversed,
    accounting_on_payment_succeeded,
    accounting_on_payments_succeeded,
    contact_conflict_resolve,
    sync_items_retry,
    sync_items_sweep,
)
from firmpay.accounting.services.payout_books import accounting_on_payout_changed
from firmpay.accounting.services.payout_settings import connection_payout_booking_set
from firmpay.accounting.services.sync import sync_item_process
from firmpay.accounting.services.tokens import connection_access_token

__all__ = [
    "accounting_on_invoice_sent",
    "accounting_on_invoice_voided",
    "accounting_on_payment_reversed",
    "accounting_on_payment_succeeded",
    "accounting_on_payments_succeeded",
    "accounting_on_payout_changed",
    "connection_access_token",
    "contact_conflict_resolve",
    "connection_accounts",
    "connection_accounts_choose",
    "connection_disconnect",
    "connection_needs_tax_codes",
    "connection_organisation_choose",
    "connection_payout_booking_set",
    "connection_tax_rates",
    "oauth_complete",
    "oauth_start",
    "sync_item_process",
    "sync_items_retry",
    "sync_items_sweep",
]
