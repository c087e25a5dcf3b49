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


# The largest multiple of the alphabet's size in a byte: bytes below it map to a character
# without bias (b % 62); the rest are dropped.
_UNBIASED = 256 // len(_ALPHABET) * len(_ALPHABET)


def random_token(length: int = 24) -> str:
    """`length` characters from a CSPRNG, uniform over letters and digits: one read of
    random bytes (rarely two), not one `secrets.choice` per character (~13 ids per charge)."""
    chars: list[str] = []
    while len(chars) < length:
        chars += [
            _ALPHABET[b % len(_ALPHABET)] for b in secrets.token_bytes(length + 8) if b < _UNBIASED
        ]
    return "".join(chars[:length])


def new_id(kind_or_prefix: str, length: int = 24) -> str:
    prefix = PREFIXES.get(kind_or_prefix, kind_or_prefix)
    if not prefix.endswith("_"):
        prefix += "_"
    return prefix + random_token(length)
