"""The firm's PDFs: an invoice, a payment receipt, a statement."""

from __future__ import annotations

from dataclasses import dataclass, field

from firmpay.documents.pdf import document_context, pdf_render
from firmpay.invoices.dates import firm_today
from firmpay.invoices.selectors import invoice_display_status


def invoice_pdf(*, invoice) -> bytes:
    context = {
        **document_context(firm=invoice.firm),
        "invoice": invoice,
        "client": invoice.client,
        "lines": list(invoice.lines.all()),
        "display_status": invoice_display_status(invoice, firm_today(invoice.firm)),
    }
    return pdf_render(template="documents/invoice_pdf.html", context=context)


def invoice_pdf_filename(invoice) -> str:
    return f"{invoice.number}.pdf"


@dataclass(frozen=True)
class ReceiptLine:
    invoice_number: str
    amount: int


@dataclass(frozen=True)
class Receipt:
    """What a receipt says; built by the app that took the money."""

    number: str  # e.g. "R-42"
    paid_on: object  # date
    method: str
    amount: int
    currency: str
    reference: str
    client: object
    lines: list[ReceiptLine] = field(default_factory=list)
    refunded: int = 0


def receipt_pdf(*, firm, receipt: Receipt) -> bytes:
    context = {**document_context(firm=firm), "receipt": receipt, "client": receipt.client}
    return pdf_render(template="documents/receipt_pdf.html", context=context)


def statement_pdf(*, firm, statement) -> bytes:
    context = {
        **document_context(firm=firm),
        "statement": statement,
        "client": statement.client,
    }
    return pdf_render(template="documents/statement_pdf.html", context=context)
