"""Stripe-looking identifiers."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits

# Prefixes Stripe uses, by object type; resource modules may add theirs.
PREFIXES: dict[str, str] = {
    "account": "acct_",
    "account_link": "al_",
    "application_fee": "fee_",
    "balance_transaction": "txn_",
    "bank_account": "ba_",
    "charge": "ch_",
    "checkout.session": "cs_test_",
    "dispute": "dp_",
    "event": "evt_",
    "file": "file_",
    "login_link": "ll_",
    "payment_intent": "pi_",
    "payment_method": "pm_",
    "payout": "po_",
    "refund": "re_",
    "webhook_endpoint": "we_",
}


def random_token(length: int = 24) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_id(kind_or_prefix: str, length: int = 24) -> str:
    prefix = PREFIXES.get(kind_or_prefix, kind_or_prefix)
    if not prefix.endswith("_"):
        prefix += "_"
    return prefix + random_token(length)
