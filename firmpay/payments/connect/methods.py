"""Which payment methods a connected account really has: read from the account's
capabilities (kept fresh by account.updated / capability.updated), never assumed from the
firm's country. A bank debit the account's country has but that is not on is named, with
the page in Stripe where the firm turns it on (an account connected by OAuth chooses its own
payment methods: Firmpay cannot request them for it)."""

from __future__ import annotations

from dataclasses import dataclass

from firmpay.payments.stripe.client import payment_methods_settings_url
from firmpay.payments.stripe.dataclasses import AccountSnapshot


@dataclass(frozen=True)
class BankDebit:
    code: str  # the Checkout payment method type
    capability: str  # our Capabilities field
    label: str
    currency: str  # the only currency it collects


# The account's country → the bank debit Stripe offers there.
BANK_DEBIT_BY_COUNTRY = {
    "US": BankDebit("us_bank_account", "ach", "ACH direct debit", "USD"),
    "GB": BankDebit("bacs_debit", "bacs", "Bacs direct debit", "GBP"),
}


@dataclass(frozen=True)
class MethodOff:
    code: str  # us_bank_account | bacs_debit
    label: str
    message: str
    turn_on_url: str  # where in Stripe the firm turns it on


@dataclass(frozen=True)
class AccountPaymentMethods:
    live: list[str]  # what clients can pay with now, e.g. ["Card", "ACH direct debit"]
    off: list[MethodOff]


def account_payment_methods(*, snapshot: AccountSnapshot) -> AccountPaymentMethods:
    caps = snapshot.capabilities
    off = []
    debit = BANK_DEBIT_BY_COUNTRY.get(snapshot.country)
    state = getattr(caps, debit.capability) if debit else "active"
    if debit is not None and state != "active":
        if state == "pending":
            message = f"Stripe is still reviewing {debit.label} for your account."
        else:
            message = (
                f"{debit.label} is off in your Stripe account: clients pay {debit.currency} "
                "invoices by card only until you turn it on in Stripe."
            )
        off.append(
            MethodOff(debit.code, debit.label, message, payment_methods_settings_url(snapshot.id))
        )
    return AccountPaymentMethods(live=caps.live_methods(), off=off)
