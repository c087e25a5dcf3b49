"""Charging due invoices in batches: the same three steps as `charges.autopay_charge`, with
the first done for a whole batch in one transaction and the Stripe calls overlapped.

1. Claim (one transaction, a few statements per batch): the next `BATCH` due rows after the
   sweep's cursor are locked (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two workers take
   different rows and never wait on each other; SQLite's IMMEDIATE transaction holds the
   write lock), then their invoices (skip locked as well: an invoice someone is paying is
   left for the next sweep). A row is "plain" when its invoice is open or partly paid with
   an amount due, has no online payment pending or processing (no checkout page open, no
   debit on its way), and the firm's connected account can charge with an active
   authorisation of the client: for those, OnlinePayment and AutopayAttempt rows are
   inserted in bulk and the autopay rows set charging; COMMIT. Every other row goes through
   `autopay_charge` one by one after the commit (it pauses, defers or skips, as before).
2. Call Stripe for each claimed attempt, `AUTOPAY_STRIPE_THREADS` at once (one off-session
   PaymentIntent each, idempotency key from the attempt row, ids from the authorisation:
   no retrieve).
3. Record the answers in one transaction (`recording.py`): succeeded card charges in a few
   statements for the batch, what the ordinary path would write; every other answer through
   `autopay_attempt_record`, the ordinary path (payment facts, invoice status, notices, the
   books).

A worker that dies anywhere leaves the attempts `started`; the sweep re-drives stale
started attempts one by one with the same key (`charges.autopay_stale_ids`).
"""

from __future__ import annotations

import concurrent.futures
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from firmpay.core.bulk import rows_insert
from firmpay.invoices.models import Invoice
from firmpay.payments.autopay.models import (
    AutopayAttempt,
    AutopayAttemptStatus,
    AutopayAuthorisation,
    AutopayAuthorisationStatus,
    InvoiceAutopay,
    InvoiceAutopayStatus,
)
from firmpay.payments.exceptions import StripeUnavailable
from firmpay.payments.models import PaymentAccount
from firmpay.payments.online.checkout import PAYABLE_STATUSES, application_fee
from firmpay.payments.online.models import OnlinePayment, OnlinePaymentStatus
from firmpay.payments.stripe import autopay as stripe_autopay

BATCH = 200
DUE_STATUSES = (InvoiceAutopayStatus.SCHEDULED, InvoiceAutopayStatus.RETRYING)
IN_FLIGHT = (OnlinePaymentStatus.PENDING, OnlinePaymentStatus.PROCESSING)


def stripe_threads() -> int:
    return max(int(getattr(settings, "AUTOPAY_STRIPE_THREADS", 4)), 1)


@dataclass(frozen=True, slots=True)
class Claimed:
    """One attempt committed by a claim, with everything its Stripe call needs."""

    attempt_id: int
    payment_id: int
    invoice_id: int
    invoice_number: str
    firm_id: int
    firm_name: str
    account_id: str
    customer: str
    payment_method: str
    amount: int
    currency: str
    fee: int

    @property
    def idempotency_key(self) -> str:
        return AutopayAttempt(pk=self.attempt_id).idempotency_key


@dataclass
class Claim:
    claimed: list[Claimed]
    others: list[int]  # rows for the one-by-one path
    cursor: int | None  # the highest row id looked at; None: nothing was due


def _locked(queryset):
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def _accounts(firm_ids: set[int]) -> dict[int, PaymentAccount]:
    """Each firm's connected account as `payment_account_for_firm` picks it."""
    found: dict[int, PaymentAccount] = {}
    rows = (
        PaymentAccount.objects.filter(firm_id__in=firm_ids, disconnected_at__isnull=True)
        .exclude(stripe_account_id="")
        .order_by("pk")
        .only("id", "firm_id", "stripe_account_id", "charges_enabled")
    )
    for account in rows:
        found.setdefault(account.firm_id, account)
    return found


def _authorisations(pairs: set[tuple[int, int]]) -> dict[tuple[int, int, str], tuple]:
    """Active authorisations by (firm, client, account): (id, method, customer, pm)."""
    found: dict[tuple[int, int, str], tuple] = {}
    rows = (
        AutopayAuthorisation.objects.filter(
            firm_id__in={firm for firm, _ in pairs},
            client_id__in={client for _, client in pairs},
            status=AutopayAuthorisationStatus.ACTIVE,
        )
        .order_by("pk")
        .values_list(
            "firm_id",
            "client_id",
            "stripe_account_id",
            "id",
            "method",
            "customer__stripe_customer_id",
            "payment_method_id",
        )
    )
    for firm_id, client_id, account, *rest in rows:
        found.setdefault((firm_id, client_id, account), tuple(rest))
    return found


def autopay_claim(*, now: datetime.datetime, after: int = 0, limit: int = BATCH) -> Claim:
    """Lock the next due rows after id `after` and commit attempts for the plain ones."""
    with transaction.atomic():
        rows = list(
            _locked(
                InvoiceAutopay.objects.filter(
                    status__in=DUE_STATUSES, next_attempt_at__lte=now, pk__gt=after
                )
            )
            .order_by("pk")
            .values("id", "invoice_id", "attempts")[:limit]
        )
        if not rows:
            return Claim(claimed=[], others=[], cursor=None)
        invoices = {
            invoice["id"]: invoice
            for invoice in _locked(Invoice.objects.filter(pk__in=[r["invoice_id"] for r in rows]))
            .order_by("pk")
            .values(
                "id",
                "firm_id",
                "client_id",
                "number",
                "currency",
                "status",
                "amount_due",
                "firm__name",
                "firm__plan",
            )
        }
        busy = set(
            OnlinePayment.objects.filter(invoice_id__in=invoices, status__in=IN_FLIGHT)
            .values_list("invoice_id", flat=True)
            .distinct()
        )
        accounts = _accounts({invoice["firm_id"] for invoice in invoices.values()})
        authorisations = _authorisations(
            {(invoice["firm_id"], invoice["client_id"]) for invoice in invoices.values()}
        )
        plain, others = [], []
        for row in rows:
            invoice = invoices.get(row["invoice_id"])
            if invoice is None:
                continue  # someone holds the invoice: a later sweep takes the row
            account = accounts.get(invoice["firm_id"])
            authorisation = account and authorisations.get(
                (invoice["firm_id"], invoice["client_id"], account.stripe_account_id)
            )
            if (
                invoice["id"] in busy
                or invoice["status"] not in PAYABLE_STATUSES
                or invoice["amount_due"] <= 0
                or account is None
                or not account.charges_enabled
                or not authorisation
            ):
                others.append(row["id"])
                continue
            plain.append((row, invoice, account, authorisation))
        claimed = _attempts_create(plain, now=timezone.now())
        return Claim(claimed=claimed, others=others, cursor=rows[-1]["id"])


def _attempts_create(plain: list[tuple], *, now: datetime.datetime) -> list[Claimed]:
    if not plain:
        return []
    payments = []
    for _row, invoice, account, (_id, method, _customer, _pm) in plain:
        amount = invoice["amount_due"]
        payments.append(
            {
                "firm_id": invoice["firm_id"],
                "invoice_id": invoice["id"],
                "account_id": account.pk,
                "stripe_account_id": account.stripe_account_id,
                "amount": amount,
                "currency": invoice["currency"],
                "application_fee_amount": application_fee(
                    amount=amount, plan=invoice["firm__plan"]
                ),
                "allowed_methods": [method],
                "method": method,
                "created_at": now,
                "updated_at": now,
            }
        )
    payment_ids = rows_insert(model=OnlinePayment, rows=payments)
    attempt_ids = rows_insert(
        model=AutopayAttempt,
        rows=[
            {
                "firm_id": invoice["firm_id"],
                "invoice_autopay_id": row["id"],
                "number": row["attempts"] + 1,
                "authorisation_id": authorisation[0],
                "payment_id": payment_id,
                "status": AutopayAttemptStatus.STARTED.value,
                "calls": 1,  # counted before the call, as autopay_charge does
                "created_at": now,
                "updated_at": now,
            }
            for (row, invoice, _account, authorisation), payment_id in zip(
                plain, payment_ids, strict=True
            )
        ],
    )
    InvoiceAutopay.objects.filter(pk__in=[row["id"] for row, *_ in plain]).update(
        attempts=F("attempts") + 1, status=InvoiceAutopayStatus.CHARGING, updated_at=now
    )
    return [
        Claimed(
            attempt_id=attempt_id,
            payment_id=payment_id,
            invoice_id=invoice["id"],
            invoice_number=invoice["number"],
            firm_id=invoice["firm_id"],
            firm_name=invoice["firm__name"],
            account_id=account.stripe_account_id,
            customer=customer,
            payment_method=payment_method,
            amount=payment["amount"],
            currency=invoice["currency"],
            fee=payment["application_fee_amount"],
        )
        for (
            _row,
            invoice,
            account,
            (_id, _method, customer, payment_method),
        ), payment, payment_id, attempt_id in zip(
            plain, payments, payment_ids, attempt_ids, strict=True
        )
    ]


def claimed_charge_send(claimed: Claimed) -> stripe_autopay.ChargeResult:
    """The one Stripe call of an attempt, batched or not: off-session on the firm's account,
    Firmpay's fee, the invoice's words and ids in metadata, the attempt's key. Raises
    StripeUnavailable."""
    return stripe_autopay.off_session_charge(
        account_id=claimed.account_id,
        customer=claimed.customer,
        payment_method=claimed.payment_method,
        amount=claimed.amount,
        currency=claimed.currency,
        application_fee_amount=claimed.fee,
        description=f"Invoice {claimed.invoice_number} from {claimed.firm_name}",
        metadata={
            "firmpay_firm_id": str(claimed.firm_id),
            "firmpay_invoice_id": str(claimed.invoice_id),
            "firmpay_invoice_number": claimed.invoice_number,
            "firmpay_payment_id": str(claimed.payment_id),
            "firmpay_autopay_attempt_id": str(claimed.attempt_id),
        },
        idempotency_key=claimed.idempotency_key,
    )


def _charge(claimed: Claimed) -> stripe_autopay.ChargeResult | None:
    """`claimed_charge_send`; None when Stripe could not be reached (the attempt stays
    started and is re-driven with the same key)."""
    try:
        return claimed_charge_send(claimed)
    except StripeUnavailable:
        return None


def autopay_charge_claimed(claimed: list[Claimed]) -> list[str]:
    """Call Stripe for the claimed attempts (several at once), then record the answers in
    one transaction (`recording.py`). Returns the outcomes ("" for an attempt left started)."""
    from firmpay.payments.autopay.charges import stripe_answered
    from firmpay.payments.autopay.recording import autopay_answers_record

    with concurrent.futures.ThreadPoolExecutor(stripe_threads()) as pool:
        results = list(pool.map(_charge, claimed))
    answers = []
    for item, result in zip(claimed, results, strict=True):
        if result is not None:
            stripe_answered()
            answers.append((item.attempt_id, item.invoice_id, result))
    recorded = dict(zip((a for a, _, _ in answers), autopay_answers_record(answers), strict=True))
    return [recorded.get(item.attempt_id, "") for item in claimed]
