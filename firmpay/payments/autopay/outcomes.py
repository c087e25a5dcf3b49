"""What an attempt's outcome does to our rows: the payment (through the ordinary payment
facts, so invoice status, receipts and the books follow as for any payment), the attempt,
the invoice's autopay row (collected, processing, retry, paused...), and who is told."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from firmpay.invoices.models import Invoice
from firmpay.payments.autopay.models import (
    AutopayAttempt,
    AutopayAttemptStatus,
    AutopayAuthorisationStatus,
    InvoiceAutopay,
    InvoiceAutopayStatus,
)
from firmpay.payments.autopay.notices import autopay_notice_queue
from firmpay.payments.autopay.selectors import autopay_retry_days, firm_local_date
from firmpay.payments.facts import (
    PaymentFailed,
    PaymentProcessing,
    PaymentRef,
    PaymentSessionExpired,
    PaymentSucceeded,
)
from firmpay.payments.online.models import OnlinePaymentStatus
from firmpay.payments.stripe.autopay import ChargeResult

_ATTEMPT_STATUS = {
    "succeeded": AutopayAttemptStatus.SUCCEEDED,
    "processing": AutopayAttemptStatus.PROCESSING,
    "declined": AutopayAttemptStatus.DECLINED,
    "hard_declined": AutopayAttemptStatus.HARD_DECLINED,
    "authentication_required": AutopayAttemptStatus.AUTHENTICATION_REQUIRED,
    "mandate_invalid": AutopayAttemptStatus.MANDATE_INVALID,
}


def _fact(result: ChargeResult, ref: PaymentRef, at: datetime.datetime):
    if result.outcome == "succeeded":
        return PaymentSucceeded(ref=ref, at=at)
    if result.outcome == "processing":
        return PaymentProcessing(ref=ref, at=at)
    if result.outcome == "mandate_invalid":
        return PaymentSessionExpired(ref=ref, at=at)  # nothing was charged
    return PaymentFailed(ref=ref, at=at, message=result.message, final=True)


def attempt_outcome_apply(
    *, attempt_id: int, result: ChargeResult, invoice_id: int | None = None
) -> None:
    """`invoice_id`: the attempt's invoice when the caller holds it (the batch does)."""
    from firmpay.payments.services.facts import payment_fact_apply

    now = timezone.now()
    if invoice_id is None:
        invoice_id = AutopayAttempt.objects.values_list(
            "invoice_autopay__invoice_id", flat=True
        ).get(pk=attempt_id)
    with transaction.atomic():
        # The lock order every path uses: invoice, then autopay rows, then the attempt.
        list(Invoice.objects.select_for_update().filter(pk=invoice_id).values_list("pk"))
        attempt = (
            AutopayAttempt.objects.select_for_update(of=("self", "invoice_autopay"))
            .select_related("payment", "authorisation", "invoice_autopay")
            .get(pk=attempt_id)
        )
        if attempt.status != AutopayAttemptStatus.STARTED:
            return  # already recorded (a re-drive raced the first worker)
        if attempt.invoice_autopay.invoice_id != invoice_id:
            raise ValueError(f"attempt {attempt_id} is not for invoice {invoice_id}")
        payment = attempt.payment
        ref = PaymentRef(
            account=payment.stripe_account_id,
            payment_id=payment.pk,
            intent=result.payment_intent,
            charge=result.charge,
            method=payment.method,
        )
        payment_fact_apply(fact=_fact(result, ref, now))
        attempt.status = _ATTEMPT_STATUS[result.outcome]
        if attempt.status not in (AutopayAttemptStatus.SUCCEEDED, AutopayAttemptStatus.PROCESSING):
            # The fact wrote the payment row (status, failure message): the emails read it.
            payment.refresh_from_db()
        attempt.payment_intent_id = result.payment_intent
        attempt.error_code = result.code[:100]
        attempt.save(update_fields=["status", "payment_intent_id", "error_code", "updated_at"])
        # Locked with the attempt above, after the invoice (every writer locks that first).
        row = attempt.invoice_autopay
        _row_follow(row=row, attempt=attempt, message=result.message, now=now)


def _row_follow(*, row: InvoiceAutopay, attempt: AutopayAttempt, message: str, now) -> None:
    status = attempt.status
    row.last_error = message[:500]
    if status == AutopayAttemptStatus.SUCCEEDED:
        row.status, row.next_attempt_at = InvoiceAutopayStatus.COLLECTED, None
    elif status == AutopayAttemptStatus.PROCESSING:
        row.status = InvoiceAutopayStatus.PROCESSING
    elif status == AutopayAttemptStatus.AUTHENTICATION_REQUIRED:
        row.status, row.next_attempt_at = InvoiceAutopayStatus.ACTION_REQUIRED, None
        autopay_notice_queue(attempt=attempt, kind="autopay_action_client")
        autopay_notice_queue(attempt=attempt, kind="autopay_failed_firm")
    elif status == AutopayAttemptStatus.MANDATE_INVALID:
        row.status, row.next_attempt_at = InvoiceAutopayStatus.PAUSED, None
        _authorisation_needs_attention(attempt, "The mandate is no longer active.")
    else:
        _retry_or_stop(row=row, attempt=attempt, now=now)
    row.save()


def _retry_or_stop(*, row: InvoiceAutopay, attempt: AutopayAttempt, now) -> None:
    """A decline or failed debit: the next try on the firm's schedule, none after a hard
    decline; when none is left, reminders take over again."""
    retry_days = autopay_retry_days(firm=row.firm)
    hard = attempt.status == AutopayAttemptStatus.HARD_DECLINED
    if hard:
        _authorisation_needs_attention(
            attempt, "The card was declined and cannot be charged again."
        )
    if not hard and row.attempts <= len(retry_days):
        row.status = InvoiceAutopayStatus.RETRYING
        row.next_attempt_at = now + datetime.timedelta(days=retry_days[row.attempts - 1])
    else:
        row.status, row.next_attempt_at = InvoiceAutopayStatus.EXHAUSTED, None
    retry_on = firm_local_date(row.firm, row.next_attempt_at) if row.next_attempt_at else None
    autopay_notice_queue(attempt=attempt, kind="autopay_failed_client", retry_at=retry_on)
    autopay_notice_queue(attempt=attempt, kind="autopay_failed_firm", retry_at=retry_on)


def _authorisation_needs_attention(attempt: AutopayAttempt, reason: str) -> None:
    from firmpay.payments.autopay.health import authorisation_attention

    authorisation = attempt.authorisation
    if authorisation.status == AutopayAuthorisationStatus.ACTIVE:
        authorisation_attention(authorisation=authorisation, reason=reason)


def autopay_payment_settled(*, payment, before: str) -> None:
    """Called by payment_settle (inside its transaction) when a payment's status moved: a
    processing autopay debit that succeeded or failed moves its autopay row on."""
    if payment.status == before or not payment.method:
        return
    attempt = (
        AutopayAttempt.objects.select_for_update(of=("self",))
        .filter(payment_id=payment.pk, status=AutopayAttemptStatus.PROCESSING)
        .first()
    )
    if attempt is None:
        return
    now = timezone.now()
    if payment.status == OnlinePaymentStatus.SUCCEEDED:
        attempt.status = AutopayAttemptStatus.SUCCEEDED
    elif payment.status == OnlinePaymentStatus.FAILED:
        attempt.status = AutopayAttemptStatus.FAILED
    else:
        return
    attempt.save(update_fields=["status", "updated_at"])
    row = InvoiceAutopay.objects.select_for_update().get(pk=attempt.invoice_autopay_id)
    _row_follow(row=row, attempt=attempt, message=payment.failure_message, now=now)
