"""The signed-in client's PDFs: an invoice, a payment's receipt, a statement."""

from firmpay.documents.documents import invoice_pdf, invoice_pdf_filename, statement_pdf
from firmpay.documents.views import pdf_response
from firmpay.payments.online.receipts import payment_receipt_pdf
from firmpay.portal.decorators import portal_page
from firmpay.portal.selectors import portal_invoice_get, portal_payment_get, portal_statement
from firmpay.portal.views_pages import statement_period


@portal_page
def portal_invoice_pdf(request, invoice_id):
    invoice = portal_invoice_get(client=request.portal_client, invoice_id=invoice_id)
    return pdf_response(invoice_pdf(invoice=invoice), invoice_pdf_filename(invoice))


@portal_page
def portal_receipt_pdf(request, payment_id):
    payment = portal_payment_get(client=request.portal_client, payment_id=payment_id)
    filename, content, _ = payment_receipt_pdf(payment)
    return pdf_response(content, filename)


@portal_page
def portal_statement_pdf(request):
    _form, start, end = statement_period(request)
    statement = portal_statement(client=request.portal_client, start=start, end=end)
    content = statement_pdf(firm=request.portal_firm, statement=statement)
    return pdf_response(content, f"statement-{start:%Y-%m-%d}-{end:%Y-%m-%d}.pdf")
