"""The receipt of an online payment: what it paid (one line per invoice it paid), as a PDF
for the receipt email and for downloads by the firm and the client."""

from __future__ import annotations

from django.utils import timezone

from firmpay.documents.documents import Receipt, ReceiptLine, receipt_pdf
from firmpay.tenancy.middleware import firm_timezone


def payment_receipt_lines(payment) -> list[ReceiptLine]:
    allocations = list(payment.allocations.select_related("invoice").order_by("position"))
    if allocations:
        return [ReceiptLine(a.invoice.number, a.amount) for a in allocations]
    return [ReceiptLine(payment.invoice.number, payment.amount)]


def payment_invoice_numbers(payment) -> str:
    """'INV-0001' or, for a payment of several invoices, 'INV-0001, INV-0002'."""
    return ", ".join(line.invoice_number for line in payment_receipt_lines(payment))


def payment_receipt(payment) -> Receipt:
    firm = payment.firm
    paid = payment.succeeded_at or payment.processing_at or payment.created_at
    return Receipt(
        number=f"R-{payment.pk}",
        paid_on=timezone.localtime(paid, firm_timezone(firm)).date(),
        method=payment.method_label or "Online",
        amount=payment.amount,
        currency=payment.currency,
        reference=payment.payment_intent_id,
        client=payment.invoice.client,
        lines=payment_receipt_lines(payment),
        refunded=payment.amount_refunded,
    )


def payment_receipt_pdf(payment) -> tuple[str, bytes, str]:
    """(filename, PDF, mimetype) of the payment's receipt."""
    content = receipt_pdf(firm=payment.firm, receipt=payment_receipt(payment))
    return f"receipt-R-{payment.pk}.pdf", content, "application/pdf"
