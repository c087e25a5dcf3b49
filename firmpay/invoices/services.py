"""Writes for invoices: create, edit drafts, send, void, manual payments, the client link."""

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from firmpay.core.audit import audit_record_create
from firmpay.core.money import format_amount
from firmpay.invoices.dates import default_due_date, firm_today
from firmpay.invoices.exceptions import InvoiceNotEditable, InvoiceStateError, PaymentRefused
from firmpay.invoices.hooks import invoice_external_amounts, invoice_hooks_run
from firmpay.invoices.models import (
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    InvoiceStatus,
    ManualPayment,
    PaymentMethod,
    new_link_token,
)
from firmpay.invoices.tasks import invoice_email_send_task
from firmpay.invoices.totals import LineInput, invoice_amounts, line_amounts

NUMBER_PREFIX = "INV-"


def invoice_number_allocate(*, firm) -> str:
    """The firm's next invoice number. Call inside a transaction: the counter row stays
    locked until it commits, so concurrent creations queue and get distinct numbers."""
    # Make sure the counter row exists without a race (INSERT ... ON CONFLICT DO NOTHING).
    InvoiceSequence.objects.bulk_create([InvoiceSequence(firm=firm)], ignore_conflicts=True)
    sequence = InvoiceSequence.objects.select_for_update().get(firm=firm)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{NUMBER_PREFIX}{sequence.last_number:04d}"


def _lines_replace(*, invoice: Invoice, lines: Sequence[LineInput]) -> None:
    if not lines:
        raise InvoiceNotEditable("An invoice needs at least one line.")
    rows = []
    for position, line in enumerate(lines):
        amounts = line_amounts(line)
        rows.append(
            InvoiceLine(
                invoice=invoice,
                position=position,
                description=line.description.strip(),
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                tax_rate=line.tax_rate,
                line_subtotal=amounts.line_subtotal,
                line_tax=amounts.line_tax,
            )
        )
    invoice.lines.all().delete()
    InvoiceLine.objects.bulk_create(rows)
    totals = invoice_amounts(rows)
    invoice.subtotal = totals.subtotal
    invoice.tax_total = totals.tax_total
    invoice.total = totals.total
    invoice.amount_due = invoice.total - invoice.amount_paid


def invoice_create(
    *,
    firm,
    client,
    lines: Sequence[LineInput],
    created_by=None,
    currency: str | None = None,
    issue_date: datetime.date | None = None,
    due_date: datetime.date | None = None,
    notes: str = "",
) -> Invoice:
    """A draft invoice, numbered from the firm's counter; due date from the firm's terms."""
    if client.firm_id != firm.pk:
        raise ValueError("the client belongs to another firm")
    issue_date = issue_date or firm_today(firm)
    with transaction.atomic():
        invoice = Invoice(
            firm=firm,
            client=client,
            currency=currency or client.currency,
            issue_date=issue_date,
            due_date=due_date or default_due_date(firm, issue_date),
            notes=notes,
            created_by=created_by,
            number=invoice_number_allocate(firm=firm),
        )
        invoice.save()
        _lines_replace(invoice=invoice, lines=lines)
        invoice.save(update_fields=["subtotal", "tax_total", "total", "amount_due", "updated_at"])
    return invoice


def _lock(invoice: Invoice) -> Invoice:
    invoice.refresh_from_db(from_queryset=Invoice.objects.select_for_update())
    return invoice


def invoice_update(
    *,
    invoice: Invoice,
    client,
    lines: Sequence[LineInput],
    currency: str,
    issue_date: datetime.date,
    due_date: datetime.date | None = None,
    notes: str = "",
) -> Invoice:
    """Only drafts change; once sent, an invoice is what the client received."""
    if client.firm_id != invoice.firm_id:
        raise ValueError("the client belongs to another firm")
    with transaction.atomic():
        _lock(invoice)
        if not invoice.is_draft:
            raise InvoiceNotEditable(f"{invoice.number} has been sent and can no longer be edited.")
        invoice.client = client
        invoice.currency = currency
        invoice.issue_date = issue_date
        invoice.due_date = due_date or default_due_date(invoice.firm, issue_date)
        invoice.notes = notes
        _lines_replace(invoice=invoice, lines=lines)
        invoice.save()
    return invoice


def invoice_amount_received(*, invoice: Invoice) -> int:
    """Money received against the invoice, in its minor units: manual payments plus
    online payments net of refunds (and of lost disputes)."""
    manual = invoice.manual_payments.aggregate(paid=Sum("amount"))["paid"] or 0
    return manual + _online_amounts(invoice).received


def _online_amounts(invoice: Invoice):
    return invoice_external_amounts(invoice=invoice)


def invoice_recompute_status(*, invoice: Invoice) -> Invoice:
    """The one place that decides an invoice's amounts paid and due and its status.

    Drafts and void invoices keep their status; otherwise paid when the payments cover the
    total, partially paid when some money arrived, open when none did. Call it with the
    invoice row locked, after any change to what was paid."""
    online = _online_amounts(invoice)
    manual = invoice.manual_payments.aggregate(paid=Sum("amount"))["paid"] or 0
    paid = manual + online.received
    invoice.amount_paid = paid
    invoice.amount_due = invoice.total - paid
    invoice.disputed = online.disputed
    if invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        if paid >= invoice.total:
            invoice.status = InvoiceStatus.PAID
        elif online.processing > 0 and paid + online.processing >= invoice.total:
            # A bank debit covering what is due is on its way: reminders pause.
            invoice.status = InvoiceStatus.PAYMENT_PROCESSING
        elif paid > 0:
            invoice.status = InvoiceStatus.PARTIALLY_PAID
        elif online.refunded > 0 and not manual:
            invoice.status = InvoiceStatus.REFUNDED
        else:
            invoice.status = InvoiceStatus.OPEN
    invoice.save(update_fields=["amount_paid", "amount_due", "status", "disputed", "updated_at"])
    return invoice


def invoice_send(*, invoice: Invoice, sent_by=None) -> Invoice:
    """Draft → open, and email the client their link after the commit. Sending again
    re-sends the email."""
    with transaction.atomic():
        _lock(invoice)
        if invoice.is_void:
            raise InvoiceStateError(f"{invoice.number} is void and cannot be sent.")
        if invoice.is_draft:
            invoice.status = InvoiceStatus.OPEN
            invoice_recompute_status(invoice=invoice)
        invoice.sent_at = timezone.now()
        invoice.save(update_fields=["sent_at", "updated_at"])
        invoice_id = invoice.pk
        transaction.on_commit(lambda: invoice_email_send_task(invoice_id))
        invoice_hooks_run("sent", invoice=invoice)
    return invoice


def invoice_void(*, invoice: Invoice, voided_by=None, request=None) -> Invoice:
    with transaction.atomic():
        _lock(invoice)
        if invoice.is_void:
            return invoice
        if invoice.amount_paid > 0:
            raise InvoiceStateError(f"{invoice.number} has payments recorded and cannot be voided.")
        if invoice_external_amounts(invoice=invoice).processing > 0:
            raise InvoiceStateError(
                f"A payment on {invoice.number} is on its way: it can be voided only if that "
                "payment fails."
            )
        invoice.status = InvoiceStatus.VOID
        invoice.voided_at = timezone.now()
        invoice.save(update_fields=["status", "voided_at", "updated_at"])
        invoice_hooks_run("voided", invoice=invoice)
        audit_record_create(
            action="invoice.void",
            firm=invoice.firm,
            actor=voided_by,
            target=invoice,
            detail={"number": invoice.number},
            request=request,
        )
    return invoice


def invoice_record_manual_payment(
    *,
    invoice: Invoice,
    amount: int,
    method: str,
    received_on: datetime.date,
    reference: str = "",
    recorded_by=None,
    request=None,
) -> ManualPayment:
    """Money received outside Firmpay. Refuses overpaying: the amount is at most what is due."""
    if type(amount) is not int:
        raise TypeError("amount is an int in the invoice currency's minor units")
    if method not in PaymentMethod.values:
        raise PaymentRefused("Choose how the payment was made.", field="method")
    with transaction.atomic():
        _lock(invoice)
        if invoice.is_draft:
            raise PaymentRefused(f"Send {invoice.number} before recording a payment against it.")
        if invoice.is_void:
            raise PaymentRefused(f"{invoice.number} is void: it takes no payments.")
        if amount <= 0:
            raise PaymentRefused("The amount must be more than zero.", field="amount")
        if amount > invoice.amount_due:
            due = format_amount(invoice.amount_due, invoice.currency)
            raise PaymentRefused(
                f"{format_amount(amount, invoice.currency)} is more than the {due} due "
                f"on {invoice.number}.",
                field="amount",
            )
        payment = ManualPayment.objects.create(
            firm_id=invoice.firm_id,
            invoice=invoice,
            method=method,
            amount=amount,
            currency=invoice.currency,
            received_on=received_on,
            reference=reference.strip(),
            recorded_by=recorded_by,
        )
        invoice_recompute_status(invoice=invoice)
        invoice_hooks_run("manual_payment_recorded", invoice=invoice, payment=payment)
        audit_record_create(
            action="invoice.manual_payment",
            firm=invoice.firm,
            actor=recorded_by,
            target=invoice,
            request=request,
            detail={
                "number": invoice.number,
                "amount": amount,
                "currency": invoice.currency,
                "method": method,
                "payment_id": payment.pk,
            },
        )
    return payment


def invoice_link_revoke(*, invoice: Invoice, revoked_by=None, request=None) -> Invoice:
    """A new client link: the old one is a 404 from now on."""
    with transaction.atomic():
        _lock(invoice)
        invoice.link_token = new_link_token()
        invoice.link_revoked_at = timezone.now()
        invoice.save(update_fields=["link_token", "link_revoked_at", "updated_at"])
        audit_record_create(
            action="invoice.link_revoke",
            firm=invoice.firm,
            actor=revoked_by,
            target=invoice,
            detail={"number": invoice.number},
            request=request,
        )
    return invoice
