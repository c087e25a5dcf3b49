from huey.contrib.djhuey import db_task

from firmpay.invoices.emails import invoice_email_deliver, invoice_email_send
from firmpay.invoices.models import Invoice


@db_task(retries=3, retry_delay=60)
def invoice_email_send_task(invoice_id: int, email_id: int | None = None) -> None:
    if email_id is not None:
        invoice_email_deliver(email_id=email_id)
        return
    invoice = Invoice.objects.select_related("firm", "client").filter(pk=invoice_id).first()
    if invoice is None or invoice.is_void:
        return
    invoice_email_send(invoice=invoice)
