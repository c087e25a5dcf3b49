"""The firm's download of a payment's receipt PDF (the client's is in the portal)."""

from django.http import Http404

from firmpay.documents.views import pdf_response
from firmpay.payments.online.receipts import payment_receipt_pdf
from firmpay.payments.online.selectors import online_payment_get
from firmpay.tenancy.decorators import member_required


@member_required
def payment_receipt(request, payment_id):
    payment = online_payment_get(firm=request.firm, payment_id=payment_id)
    if payment.succeeded_at is None:
        raise Http404("No receipt: this payment was not made")
    filename, content, _ = payment_receipt_pdf(payment)
    return pdf_response(content, filename)
