"""Charging invoices marked for automatic collection, exactly once.

`autopay_charge` takes one InvoiceAutopay row through one attempt:

1. In a transaction (invoice and row locked): decide, then write an AutopayAttempt and its
   OnlinePayment row and COMMIT. The unique index "one attempt in flight per invoice" holds
   even where rows cannot be locked.
2. Call Stripe: one off-session PaymentIntent, idempotency key `autopay_attempt:<id>:charge`.
3. In a second transaction: record what Stripe answered.

A worker that dies between 2 and 3 leaves the attempt `started`; the sweep re-drives stale
started attempts with the same key, and Stripe answers the same PaymentIntent. Bank debits
then follow the ordinary processing → paid / failed path of online payments (events);
`autopay_payment_settled` keeps the autopay row in step.
"""

from __future__ import annotations

import datetime
import logging
import os
import signal
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from firmpay.invoices.models import Invoice
from firmpay.payments.autopay.models import (
    AutopayAttempt,
    AutopayAttemptStatus,
    AutopayAuthorisation,
    AutopayAuthorisationStatus,
    InvoiceAutopay,
    InvoiceAutopayStatus,
)
from firmpay.payments.connect.selectors import payment_account_for_firm
from firmpay.payments.exceptions import StripeUnavailable
from firmpay.payments.online.checkout import application_fee, payable_amount
from firmpay.payments.online.models import OnlinePayment, OnlinePaymentStatus
from firmpay.payments.stripe import autopay as stripe_autopay

logger = logging.getLogger("firmpay.payments.autopay")

DUE_STATUSES = (InvoiceAutopayStatus.SCHEDULED, InvoiceAutopayStatus.RETRYING)


# Test hook (firmpay/payments/tests/test_autopay_sigkill.py): with this variable set, in sandbox mode only, the
# worker SIGKILLs itself as soon as Stripe has answered, before our commit.
KILL_AFTER_STRIPE_ENV = "FIRMPAY_TEST_SIGKILL_AFTER_STRIPE_CALL"


def stripe_answered() -> None:
    """Called between the Stripe call and the recording of its answer (both paths)."""
    if os.environ.get(KILL_AFTER_STRIPE_ENV) and settings.STRIPE_SANDBOX_MODE:
        os.kill(os.getpid(), signal.SIGKILL)


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "FIRMPAY_AUTOPAY_STALE_SECONDS", 120))


@dataclass
class SweepResult:
    picked: int = 0
    charged: int = 0
    processing: int = 0
    failed: int = 0
    skipped: int = 0


def autopay_stale_ids(*, now: datetime.datetime) -> list[int]:
    """Rows whose attempt was started long enough ago to be a dead worker's."""
    stale = InvoiceAutopay.objects.filter(
        status=InvoiceAutopayStatus.CHARGING,
        charge_attempts__status=AutopayAttemptStatus.STARTED,
        charge_attempts__updated_at__lte=now - stale_after(),
    )
    return list(stale.values_list("id", flat=True))


def _count(result: SweepResult, outcome: str) -> None:
    result.picked += 1
    if outcome == "succeeded":
        result.charged += 1
    elif outcome == "processing":
        result.processing += 1
    elif outcome in ("", "deferred"):
        result.skipped += 1
    else:
        result.failed += 1


def autopay_sweep(*, now: datetime.datetime | None = None, limit: int | None = None) -> SweepResult:
    """Charge every due row once: claimed in batches (`batch.py`: a few statements per batch,
    Stripe calls overlapped), the rows a batch cannot take plainly and the stale attempts
    one by one. Several sweeps may run at once (each claims rows the others do not hold)."""
    from firmpay.payments.autopay.batch import BATCH, autopay_charge_claimed, autopay_claim

    now = now or timezone.now()
    result = SweepResult()
    cursor = 0
    while limit is None or result.picked < limit:
        size = BATCH if limit is None else min(BATCH, limit - result.picked)
        claim = autopay_claim(now=now, after=cursor, limit=size)
        if claim.cursor is None:
            break
        cursor = claim.cursor
        for outcome in autopay_charge_claimed(claim.claimed):
            _count(result, outcome)
        for row_id in claim.others:
            _count(result, autopay_charge(invoice_autopay_id=row_id, now=now))
    for row_id in autopay_stale_ids(now=now):
        _count(result, autopay_charge(invoice_autopay_id=row_id, now=now))
    return result


def autopay_charge(*, invoice_autopay_id: int, now: datetime.datetime | None = None) -> str:
    """One attempt for one row. Returns the outcome ("" when there was nothing to do)."""
    now = now or timezone.now()
    try:
        attempt = _attempt_begin(invoice_autopay_id=invoice_autopay_id, now=now)
    except IntegrityError:
        return ""  # another worker holds the attempt in flight
    if not isinstance(attempt, AutopayAttempt):
        return attempt
    try:
        result = _call_stripe(attempt)
    except StripeUnavailable:
        # Nothing known: the attempt stays started and is re-driven with the same key.
        return ""
    stripe_answered()
    return autopay_attempt_record(attempt_id=attempt.pk, result=result)


def _attempt_begin(*, invoice_autopay_id: int, now) -> AutopayAttempt | str:
    with transaction.atomic():
        invoice_id = InvoiceAutopay.objects.values_list("invoice_id", flat=True).get(
            pk=invoice_autopay_id
        )
        invoice = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("firm", "client")
            .get(pk=invoice_id)
        )
        row = InvoiceAutopay.objects.select_for_update().get(pk=invoice_autopay_id)
        started = row.charge_attempts.filter(status=AutopayAttemptStatus.STARTED).first()
        if started is not None:
            if started.updated_at > now - stale_after() and row.status == "charging":
                return ""  # a live worker is on it
            started.save(update_fields=["updated_at"])
            return started  # re-drive: same row, same key, same PaymentIntent
        if row.status not in DUE_STATUSES or (row.next_attempt_at and row.next_attempt_at > now):
            return ""
        return _attempt_create(row=row, invoice=invoice, now=now)


def _attempt_create(*, row: InvoiceAutopay, invoice: Invoice, now) -> AutopayAttempt | str:
    amount = payable_amount(invoice=invoice)
    if amount <= 0:
        row.status = InvoiceAutopayStatus.COLLECTED if invoice.amount_due <= 0 else row.status
        row.next_attempt_at = None if invoice.amount_due <= 0 else row.next_attempt_at
        row.save(update_fields=["status", "next_attempt_at", "updated_at"])
        return ""
    open_checkout = (
        OnlinePayment.objects.filter(
            invoice=invoice,
            status=OnlinePaymentStatus.PENDING,
            session_expires_at__gt=now,
        )
        .exclude(checkout_session_id="")
        .order_by("-session_expires_at")
        .first()
    )
    if open_checkout is not None:
        # The client has a checkout page open: charging now could take the money twice.
        row.next_attempt_at = open_checkout.session_expires_at
        row.save(update_fields=["next_attempt_at", "updated_at"])
        return "deferred"
    account = payment_account_for_firm(firm=invoice.firm)
    authorisation = (
        AutopayAuthorisation.objects.filter(
            firm=invoice.firm,
            client_id=invoice.client_id,
            status=AutopayAuthorisationStatus.ACTIVE,
            stripe_account_id=account.stripe_account_id if account else "-",
        )
        .select_related("customer")
        .first()
    )
    if account is None or not account.charges_enabled or authorisation is None:
        row.status = InvoiceAutopayStatus.PAUSED
        row.last_error = (
            "No active authorisation to charge." if account else "Stripe is not connected."
        )
        row.save(update_fields=["status", "last_error", "updated_at"])
        return "paused"
    payment = OnlinePayment.objects.create(
        firm=invoice.firm,
        invoice=invoice,
        account=account,
        stripe_account_id=account.stripe_account_id,
        amount=amount,
        currency=invoice.currency,
        application_fee_amount=application_fee(amount=amount, plan=invoice.firm.plan),
        allowed_methods=[authorisation.method],
        method=authorisation.method,
    )
    row.attempts += 1
    row.status = InvoiceAutopayStatus.CHARGING
    row.save(update_fields=["attempts", "status", "updated_at"])
    return AutopayAttempt.objects.create(
        firm=invoice.firm,
        invoice_autopay=row,
        number=row.attempts,
        authorisation=authorisation,
        payment=payment,
    )


def _call_stripe(attempt: AutopayAttempt) -> stripe_autopay.ChargeResult:
    from firmpay.payments.autopay.batch import Claimed, claimed_charge_send

    payment = attempt.payment
    invoice = payment.invoice
    authorisation = attempt.authorisation
    AutopayAttempt.objects.filter(pk=attempt.pk).update(calls=attempt.calls + 1)
    return claimed_charge_send(
        Claimed(
            attempt_id=attempt.pk,
            payment_id=payment.pk,
            invoice_id=invoice.pk,
            invoice_number=invoice.number,
            firm_id=invoice.firm_id,
            firm_name=invoice.firm.name,
            account_id=payment.stripe_account_id,
            customer=authorisation.customer.stripe_customer_id,
            payment_method=authorisation.payment_method_id,
            amount=payment.amount,
            currency=payment.currency,
            fee=payment.application_fee_amount,
        )
    )


def autopay_attempt_record(
    *, attempt_id: int, result: stripe_autopay.ChargeResult, invoice_id: int | None = None
) -> str:
    """What Stripe answered, on our rows: the payment through the ordinary facts, the
    autopay row and the attempt by the outcome."""
    from firmpay.payments.autopay.outcomes import attempt_outcome_apply

    attempt_outcome_apply(attempt_id=attempt_id, result=result, invoice_id=invoice_id)
    return result.outcome
