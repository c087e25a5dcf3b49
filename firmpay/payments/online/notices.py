"""Emails about payments: a receipt to the client, "payment initiated" for bank debits,
the firm told of payments, failures, refunds and disputes. Each (payment, kind, key) is
sent at most once (PaymentNotice), after the change commits, by a Huey task. (What the
accounting system hears is in payment_accounting.py.)"""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from firmpay.core.money import format_amount
from firmpay.core.text import one_line
from firmpay.documents.emails import branded_alternative_attach
from firmpay.invoices.links import invoice_link_url
from firmpay.payments.online.models import (
    DEBIT_METHODS,
    REFUND_COUNTED,
    OnlinePaymentStatus,
    PaymentMethodType,
    PaymentNotice,
)
from firmpay.payments.online.receipts import payment_invoice_numbers, payment_receipt_pdf
from firmpay.tenancy.models import Membership, Role

logger = logging.getLogger("firmpay.payments.notices")

PAID = (
    OnlinePaymentStatus.SUCCEEDED,
    OnlinePaymentStatus.PARTIALLY_REFUNDED,
    OnlinePaymentStatus.REFUNDED,
    OnlinePaymentStatus.DISPUTED,
    OnlinePaymentStatus.WON,
    OnlinePaymentStatus.LOST,
)
# How long a bank debit takes to settle, in business days (shown to the client).
DEBIT_BUSINESS_DAYS = {PaymentMethodType.ACH: 4, PaymentMethodType.BACS: 3}


def notices_for_change(*, payment, before, invoice_before, refunds, disputes) -> None:
    """Queue the emails a payment's new state calls for (inside the locking transaction)."""
    status = payment.status
    wanted: list[tuple[str, str]] = []
    if status in PAID and before not in PAID:
        wanted += [("receipt", ""), ("firm_paid", "")]
    if status == OnlinePaymentStatus.PROCESSING and payment.method in DEBIT_METHODS:
        wanted.append(("debit_initiated", ""))
    if (
        status == OnlinePaymentStatus.FAILED
        and payment.processing_at is not None
        and not _is_autopay_charge(payment)
    ):
        # An automatic debit that failed is told by autopay's own emails (with the retry
        # date and the link to update the method), not twice.
        wanted += [("failed_client", ""), ("failed_firm", "")]
    for refund in refunds:
        if refund.status in REFUND_COUNTED:
            wanted += [("refund_firm", str(refund.pk)), ("refund_client", str(refund.pk))]
    for dispute in disputes:
        # Told once per dispute, even if we only hear of it once it is over.
        wanted.append(("dispute_firm", dispute.stripe_dispute_id))
    if not wanted:
        return
    # The payment is locked (payment_change): no one else adds its notices meanwhile, so one
    # read of those already queued and one insert of the rest.
    queued = set(
        PaymentNotice.objects.filter(
            payment=payment, kind__in={kind for kind, _ in wanted}
        ).values_list("kind", "key")
    )
    missing = list(dict.fromkeys(pair for pair in wanted if pair not in queued))
    if not missing:
        return
    created = PaymentNotice.objects.bulk_create(
        [PaymentNotice(payment=payment, kind=kind, key=key) for kind, key in missing]
    )
    for notice in created:
        transaction.on_commit(lambda pk=notice.pk: _enqueue(pk))


def _is_autopay_charge(payment) -> bool:
    from firmpay.payments.autopay.models import AutopayAttempt

    return AutopayAttempt.objects.filter(payment_id=payment.pk).exists()


def notices_send_on_commit(notice_ids: list[int]) -> None:
    """Queued notices sent after the commit by one task (a batch of charges: one kick)."""
    if notice_ids:
        transaction.on_commit(lambda: _enqueue_many(list(notice_ids)))


def _enqueue_many(notice_ids: list[int]) -> None:
    from firmpay.payments.online.tasks import payment_notices_send_task

    try:
        payment_notices_send_task(notice_ids)
    except Exception:  # noqa: BLE001 - the notice rows stay unsent; logged for an operator
        logger.exception("could not enqueue %d payment notices", len(notice_ids))


def _enqueue(notice_id: int) -> None:
    from firmpay.payments.online.tasks import payment_notice_send_task

    try:
        payment_notice_send_task(notice_id)
    except Exception:  # noqa: BLE001 - the notice row stays unsent; logged for an operator
        logger.exception("could not enqueue payment notice %s", notice_id)


def firm_recipients(firm) -> list[str]:
    if firm.email:
        return [firm.email]
    return list(
        Membership.objects.filter(firm=firm, role__in=[Role.OWNER, Role.ADMIN]).values_list(
            "user__email", flat=True
        )
    )


SUBJECTS = {
    "receipt": "Receipt: {amount} paid to {firm} for invoice {number}",
    "firm_paid": "Payment received: {amount} for invoice {number}",
    "debit_initiated": "Payment initiated: {amount} for invoice {number}",
    "failed_client": "Your payment for invoice {number} did not go through",
    "failed_firm": "Payment failed: {amount} for invoice {number}",
    "refund_firm": "Refund: {refund} on invoice {number}",
    "refund_client": "{firm} refunded {refund} for invoice {number}",
    "dispute_firm": "Dispute opened on invoice {number}: respond by {due}",
}
TO_CLIENT = {"receipt", "debit_initiated", "failed_client", "refund_client"}


def payment_notice_send(*, notice_id: int) -> None:
    notice = (
        PaymentNotice.objects.select_related(
            "payment", "payment__invoice", "payment__invoice__client", "payment__firm"
        )
        .filter(pk=notice_id, sent_at__isnull=True)
        .first()
    )
    if notice is None:
        return
    payment = notice.payment
    invoice = payment.invoice
    firm = payment.firm
    refund = dispute = None
    if notice.kind.startswith("refund"):
        refund = payment.refunds.filter(pk=int(notice.key)).first()
    if notice.kind == "dispute_firm":
        dispute = payment.disputes.filter(stripe_dispute_id=notice.key).first()
    context = {
        "payment": payment,
        "invoice": invoice,
        "firm": firm,
        "client": invoice.client,
        "amount": format_amount(payment.amount, payment.currency),
        "amount_due": format_amount(max(invoice.amount_due, 0), invoice.currency),
        "link": invoice_link_url(invoice),
        "method": payment.method_label,
        "business_days": DEBIT_BUSINESS_DAYS.get(payment.method, 4),
        "refund": refund,
        "refund_amount": format_amount(refund.amount, payment.currency) if refund else "",
        "dispute": dispute,
    }
    due = (
        dispute.evidence_due_by.strftime("%-d %B %Y") if dispute and dispute.evidence_due_by else ""
    )
    subject = SUBJECTS[notice.kind].format(
        amount=context["amount"],
        firm=firm.name,
        number=payment_invoice_numbers(payment),
        refund=context["refund_amount"],
        due=due or "the deadline",
    )
    if notice.kind in TO_CLIENT:
        to = [invoice.client.email] if invoice.client.email else []
        reply_to = [firm.email] if firm.email else None
    else:
        to, reply_to = firm_recipients(firm), None
    if to:
        message = EmailMultiAlternatives(
            subject=one_line(subject),
            body=render_to_string(f"payments/email/{notice.kind}.txt", context),
            to=to,
            reply_to=reply_to,
        )
        if notice.kind == "receipt":
            message.attach(*payment_receipt_pdf(payment))
        if notice.kind in TO_CLIENT:
            branded_alternative_attach(message, firm=firm)
        message.send()
    PaymentNotice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())
