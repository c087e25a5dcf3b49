"""The invoice email's PDF."""

from firmpay.documents.documents import invoice_pdf, invoice_pdf_filename


def invoice_pdf_attachment(*, invoice) -> tuple[str, bytes, str]:
    return invoice_pdf_filename(invoice), invoice_pdf(invoice=invoice), "application/pdf"
