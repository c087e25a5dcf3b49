"""The one interface both accounting providers implement, the dataclasses they return and
the errors they raise. Core code sees only these: never a vendor's raw JSON.

Each provider is a small httpx client of our own (`xero/`, `quickbooks/`) on the helpers in
`http.py`. Every API call goes through `ApiContext.gate`, the per-organisation rate limiter, and every create call
carries the idempotency key the sync row derived (`ApiContext.idempotency_key(step)`).
"""

from __future__ import annotations

import abc
import contextlib
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

# --- what providers return -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: datetime.datetime


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    name: str
    country: str = ""


@dataclass(frozen=True, slots=True)
class LedgerAccount:
    id: str
    code: str
    name: str
    # "bank" (payments can post here), "income" (invoice lines), or "other"
    kind: str
    # The vendor's own account type (Xero Type "BANK", "OVERHEADS"…; QuickBooks AccountType
    # "Bank", "Expense"…): what payout booking checks its accounts against.
    type: str = ""

    @property
    def label(self) -> str:
        return f"{self.code} — {self.name}" if self.code else self.name


@dataclass(frozen=True, slots=True)
class RemoteRef:
    """A record in the accounting system: its id and a link a person can open."""

    id: str
    url: str = ""


# --- what providers are given ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RemoteContact:
    """A contact (Xero) or customer (QuickBooks) already in the ledger."""

    id: str
    name: str
    email: str = ""
    number: str = ""


@dataclass(frozen=True, slots=True)
class RemoteInvoice:
    id: str
    number: str
    contact_id: str
    total: Decimal
    url: str = ""


@dataclass(frozen=True, slots=True)
class TaxRate:
    """A tax rate (Xero TaxType) or tax code (QuickBooks TaxCode id) the ledger offers."""

    code: str
    name: str
    rate: Decimal | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.rate}%)" if self.rate is not None else self.name


@dataclass(frozen=True, slots=True)
class ContactData:
    name: str
    email: str
    address_lines: tuple[str, ...] = ()
    # Our client reference (Xero ContactNumber), so the next lookup finds it first.
    number: str = ""


@dataclass(frozen=True, slots=True)
class InvoiceLineData:
    description: str
    quantity: Decimal
    unit_amount: Decimal
    line_amount: Decimal
    tax_amount: Decimal
    # The ledger's tax rate/code for the line ("" where the ledger needs none).
    tax_code: str = ""


@dataclass(frozen=True, slots=True)
class InvoiceData:
    number: str
    currency: str
    issue_date: datetime.date
    due_date: datetime.date
    contact_id: str
    income_account: LedgerAccount
    lines: tuple[InvoiceLineData, ...]
    total: Decimal
    reference: str = ""


@dataclass(frozen=True, slots=True)
class PaymentData:
    invoice_id: str
    contact_id: str
    account: LedgerAccount
    amount: Decimal
    currency: str
    paid_on: datetime.date
    reference: str = ""


@dataclass(frozen=True, slots=True)
class FeeLineData:
    description: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PayoutFeesData:
    """A payout's fees (and other Stripe balance changes) paid out of the clearing account
    into the fees account: Xero SPEND bank transaction, QuickBooks Purchase."""

    clearing: LedgerAccount
    expense: LedgerAccount
    lines: tuple[FeeLineData, ...]
    currency: str
    date: datetime.date
    reference: str
    # Xero needs a contact on a bank transaction ("Stripe"); QuickBooks needs none.
    contact_id: str = ""


@dataclass(frozen=True, slots=True)
class TransferData:
    """Money moved between two of the ledger's bank accounts (the payout reaching the bank,
    or a failed payout coming back): Xero BankTransfer, QuickBooks Transfer."""

    source: LedgerAccount
    target: LedgerAccount
    amount: Decimal
    currency: str
    date: datetime.date
    reference: str


# Payout booking's accounts: the role → what it is called on the settings page.
PAYOUT_ROLES = {
    "clearing": "the Stripe clearing account",
    "fees": "the fees account",
    "payout": "the bank account payouts land in",
}


@dataclass(slots=True)
class ApiContext:
    """One organisation's API calls for one sync row."""

    access_token: str
    org_id: str
    # Context manager factory: blocks/raises RateLimitWait until the call may go out.
    gate: Callable[[], contextlib.AbstractContextManager] = field(
        default=lambda: contextlib.nullcontext()
    )
    key_prefix: str = ""

    def idempotency_key(self, step: str) -> str:
        return f"{self.key_prefix}-{step}" if self.key_prefix else ""


# --- errors ----------------------------------------------------------------------------


class ProviderError(Exception):
    """The vendor refused or failed. `retriable` errors go back in the queue."""

    retriable = False

    def __init__(self, message: str, *, retry_after: float | None = None, status: int = 0):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.status = status


class RateLimited(ProviderError):
    retriable = True


class ProviderUnavailable(ProviderError):
    """5xx, timeouts, connection errors: the request may or may not have been acted on."""

    retriable = True


class AuthRevoked(ProviderError):
    """The refresh token expired or was revoked (`invalid_grant`): the firm must reconnect."""


class ProviderRejected(ProviderError):
    """A 4xx the vendor will give again: fix the data or settings, then retry."""


class UnexpectedAnswer(ProviderError):
    """A 2xx the client cannot use: a `Fault` inside a 200, an HTML page, an empty body, or
    fields of the wrong type. Counted and retried like a server error (the vendor may well
    have acted), with a message the firm can read."""

    retriable = True


class NameTaken(ProviderRejected):
    """The contact/customer name is held by another record there (Xero's unique active
    contact names; QuickBooks 6240, which counts vendors and employees too)."""


class RateLimitWait(Exception):
    """Our own limiter says: not now, try again in `seconds`."""

    def __init__(self, seconds: float):
        super().__init__(f"rate limit: wait {seconds:.1f}s")
        self.seconds = seconds


# --- the interface ---------------------------------------------------------------------


class Provider(abc.ABC):
    vendor: str
    name: str
    # Per-organisation limits (requests per minute, requests in flight).
    per_minute: int
    concurrent: int
    # The length of the rate window in seconds (Xero counts per minute, QuickBooks per second)
    # and how many requests fit in it; the wait after a 429 that names none.
    window_seconds: int = 60
    backoff_after_429: float = 30.0
    # How many payments one request may carry.
    payment_batch: int = 1
    # Xero's callback names no organisation (GET /connections lists them); QuickBooks'
    # carries the realmId.
    picks_organisation: bool

    @abc.abstractmethod
    def is_configured(self) -> bool: ...

    @abc.abstractmethod
    def authorize_url(self, *, state: str, redirect_uri: str) -> str: ...

    @abc.abstractmethod
    def exchange_code(self, *, code: str, redirect_uri: str) -> TokenSet: ...

    @abc.abstractmethod
    def refresh(self, *, refresh_token: str) -> TokenSet: ...

    @abc.abstractmethod
    def revoke(self, *, refresh_token: str) -> None: ...

    @abc.abstractmethod
    def organisations(self, *, access_token: str, callback: dict) -> list[Organisation]: ...

    @abc.abstractmethod
    def organisation_release(self, *, access_token: str, org_id: str) -> None: ...

    @abc.abstractmethod
    def accounts(self, *, ctx: ApiContext) -> list[LedgerAccount]: ...

    @abc.abstractmethod
    def contact_create(self, *, ctx: ApiContext, contact: ContactData) -> RemoteRef: ...

    @abc.abstractmethod
    def contact_find(self, *, ctx: ApiContext, by: str, value: str) -> list[RemoteContact]:
        """Contacts whose `by` ("number", "email" or "name") equals `value`."""

    @abc.abstractmethod
    def invoice_find(self, *, ctx: ApiContext, number: str) -> RemoteInvoice | None: ...

    @abc.abstractmethod
    def invoice_numbers_with_prefix(self, *, ctx: ApiContext, prefix: str) -> list[str]:
        """Sales invoice numbers in the ledger starting with `prefix` (a few suffice)."""

    @abc.abstractmethod
    def tax_rates(self, *, ctx: ApiContext) -> list[TaxRate]: ...

    def needs_tax_codes(self, *, country: str) -> bool:
        """Whether every sales line must name a tax rate/code."""
        return False

    def payments_create(
        self, *, ctx: ApiContext, payments: list[PaymentData]
    ) -> list[RemoteRef | ProviderError]:
        """Several payments; one result per payment, in order. Vendors without batches
        send them one by one."""
        results: list[RemoteRef | ProviderError] = []
        for payment in payments:
            try:
                results.append(self.payment_create(ctx=ctx, payment=payment))
            except ProviderError as error:
                if error.retriable:
                    raise
                results.append(error)
        return results

    @abc.abstractmethod
    def invoice_create(self, *, ctx: ApiContext, invoice: InvoiceData) -> RemoteRef: ...

    @abc.abstractmethod
    def invoice_void(self, *, ctx: ApiContext, invoice_id: str) -> None: ...

    @abc.abstractmethod
    def payment_create(self, *, ctx: ApiContext, payment: PaymentData) -> RemoteRef: ...

    @abc.abstractmethod
    def payment_reverse(self, *, ctx: ApiContext, payment_id: str) -> None: ...

    # --- booking Stripe payouts (clearing account → bank) ---
    # Whether a bank transaction names a contact (Xero: yes, "Stripe").
    fees_need_contact: bool = False

    def payout_account_problem(self, *, account: LedgerAccount, role: str) -> str:
        """Why `account` cannot serve as `role` ("clearing", "fees", "payout"); "" if it can."""
        return f"{self.name} cannot book payouts."

    def payout_scope_problem(self, *, access_token: str) -> str:
        """Why the consent behind `access_token` does not allow booking payouts; "" if it
        does (QuickBooks' one accounting scope covers it)."""
        return ""

    def payout_fees_create(self, *, ctx: ApiContext, fees: PayoutFeesData) -> RemoteRef:
        raise ProviderRejected(f"{self.name} cannot book payout fees.")

    def transfer_create(self, *, ctx: ApiContext, transfer: TransferData) -> RemoteRef:
        raise ProviderRejected(f"{self.name} cannot book transfers.")
