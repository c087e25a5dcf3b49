"""Recording a charged batch's answers: the third step of `batch.py`, in one transaction.

The common answer, a card charge that succeeded on a payment nothing else has touched since
the claim, is written for the whole batch in a few statements: exactly what the ordinary
path (`outcomes.attempt_outcome_apply` → the PaymentSucceeded fact → `payment_settle`)
writes for it, which is then simple to state. The payment learns its intent and charge and
is succeeded; the invoice, whose amount due the charge covers (it was charged for exactly
that), is paid; the client's receipt and the firm's notice are queued; the books hear of the
payment; the attempt is succeeded and the invoice's autopay row collected.

Every other answer goes through the ordinary path one by one, in the same transaction: a
decline, a debit processing, a payment an event already moved or whose ids refunds or
disputes were waiting for, a payment for several invoices, an invoice whose amount due or
status moved since the claim (the ordinary `invoice_recompute_status` decides then).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from firmpay.core.bulk import rows_update
from firmpay.invoices.models import Invoice, InvoiceStatus
from firmpay.payments.autopay.models import (
    AutopayAttempt,
    AutopayAttemptStatus,
    InvoiceAutopay,
    InvoiceAutopayStatus,
)
from firmpay.payments.online.allocation_models import PaymentAllocation
from firmpay.payments.online.books import payments_first_booked
from firmpay.payments.online.checkout import PAYABLE_STATUSES
from firmpay.payments.online.models import (
    OnlinePayment,
    OnlinePaymentStatus,
    PaymentDispute,
    PaymentNotice,
    PaymentRefund,
)
from firmpay.payments.online.notices import notices_send_on_commit
from firmpay.payments.stripe.autopay import ChargeResult


def autopay_answers_record(answers: list[tuple[int, int, ChargeResult]]) -> list[str]:
    """`answers`: (attempt id, invoice id, what Stripe answered). Returns the outcomes."""
    from firmpay.payments.autopay.charges import autopay_attempt_record

    if not answers:
        return []
    with transaction.atomic():
        plain = _plain_successes(answers)
        if plain:
            _successes_write(plain, now=timezone.now())
        for attempt_id, invoice_id, result in answers:
            if attempt_id not in plain:
                autopay_attempt_record(attempt_id=attempt_id, result=result, invoice_id=invoice_id)
    return [result.outcome for _, _, result in answers]


def _plain_successes(answers) -> dict[int, tuple[AutopayAttempt, OnlinePayment, ChargeResult]]:
    """Lock the batch's rows (invoices, then autopay rows and attempts, then payments: the
    order of every path) and pick the succeeded answers the set-based write may record."""
    succeeded = {a: (i, r) for a, i, r in answers if r.outcome == "succeeded" and r.payment_intent}
    invoices = {
        invoice.pk: invoice
        for invoice in Invoice.objects.select_for_update(of=("self",))
        .select_related("firm")
        .filter(pk__in=sorted({invoice_id for _, invoice_id, _ in answers}))
        .order_by("pk")
    }
    attempts = {
        attempt.pk: attempt
        for attempt in AutopayAttempt.objects.select_for_update(of=("self", "invoice_autopay"))
        .select_related("invoice_autopay")
        .filter(pk__in=succeeded, status=AutopayAttemptStatus.STARTED)
        .order_by("pk")
    }
    payments = {
        payment.pk: payment
        for payment in OnlinePayment.objects.select_for_update()
        .filter(pk__in=[a.payment_id for a in attempts.values()])
        .order_by("pk")
    }
    awaited = _awaited(payments.values(), [r for _, r in succeeded.values()])
    plain = {}
    for attempt_id, attempt in attempts.items():
        invoice_id, result = succeeded[attempt_id]
        payment = payments.get(attempt.payment_id)
        invoice = invoices.get(invoice_id)
        if (
            payment is None
            or invoice is None
            or attempt.invoice_autopay.invoice_id != invoice_id
            or payment.invoice_id != invoice_id
            or not _untouched(payment)
            or payment.pk in awaited
            or result.payment_intent in awaited
            or result.charge in awaited
            or invoice.status not in PAYABLE_STATUSES
            or invoice.disputed
            or invoice.amount_due != payment.amount
        ):
            continue
        payment.invoice = invoice
        plain[attempt_id] = (attempt, payment, result)
    return plain


def _untouched(payment: OnlinePayment) -> bool:
    """Pending as the claim made it: no fact recorded, no id learned."""
    return (
        payment.status == OnlinePaymentStatus.PENDING
        and payment.processing_at is None
        and payment.succeeded_at is None
        and payment.failed_at is None
        and payment.expired_at is None
        and not payment.payment_intent_id
        and not payment.charge_id
        and not payment.checkout_session_id
        and payment.charge_amount_refunded == 0
    )


def _awaited(payments, results: list[ChargeResult]) -> set:
    """Payment ids, intents and charges that allocations, refunds or disputes name: those
    payments take the ordinary path (it attaches and counts them)."""
    ids = [p.pk for p in payments]
    found: set = set(
        PaymentAllocation.objects.filter(payment_id__in=ids).values_list("payment_id", flat=True)
    )
    intents = [r.payment_intent for r in results]
    charges = [r.charge for r in results if r.charge]
    for model in (PaymentRefund, PaymentDispute):
        rows = model.objects.filter(
            Q(payment_id__in=ids)
            | Q(payment__isnull=True, payment_intent_id__in=intents)
            | Q(payment__isnull=True, charge_id__in=charges)
        ).values_list("payment_id", "payment_intent_id", "charge_id")
        for row in rows:
            found.update(value for value in row if value)
    return found


def _successes_write(plain: dict, *, now) -> None:
    payments = [payment for _, payment, _ in plain.values()]
    for _, payment, result in plain.values():
        payment.payment_intent_id = result.payment_intent
        payment.charge_id = result.charge
        payment.succeeded_at = now
        payment.amount_refunded = 0
        payment.status = OnlinePaymentStatus.SUCCEEDED
        payment.updated_at = now
    rows_update(
        model=OnlinePayment,
        rows={
            p.pk: {"payment_intent_id": p.payment_intent_id, "charge_id": p.charge_id}
            for p in payments
        },
    )
    OnlinePayment.objects.filter(pk__in=[p.pk for p in payments]).update(
        succeeded_at=now,
        amount_refunded=0,
        status=OnlinePaymentStatus.SUCCEEDED,
        updated_at=now,
    )
    # What invoice_recompute_status decides for an invoice whose amount due was just paid.
    for payment in payments:
        invoice = payment.invoice
        invoice.amount_paid, invoice.amount_due = invoice.total, 0
        invoice.status, invoice.updated_at = InvoiceStatus.PAID, now
    Invoice.objects.filter(pk__in=[p.invoice_id for p in payments]).update(
        amount_paid=F("total"), amount_due=0, status=InvoiceStatus.PAID, updated_at=now
    )
    notices = PaymentNotice.objects.bulk_create(
        [PaymentNotice(payment=p, kind=kind) for p in payments for kind in ("receipt", "firm_paid")]
    )
    notices_send_on_commit([notice.pk for notice in notices])
    payments_first_booked(payments=payments)
    rows_update(
        model=AutopayAttempt,
        rows={a: {"payment_intent_id": r.payment_intent} for a, (_, _, r) in plain.items()},
    )
    AutopayAttempt.objects.filter(pk__in=plain).update(
        status=AutopayAttemptStatus.SUCCEEDED, error_code="", updated_at=now
    )
    InvoiceAutopay.objects.filter(
        pk__in=[a.invoice_autopay_id for a, _, _ in plain.values()]
    ).update(
        status=InvoiceAutopayStatus.COLLECTED, next_attempt_at=None, last_error="", updated_at=now
    )
