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


@db_task(retries=3, retry_delay=60)
def invoices_sent_followup_task(invoice_ids: list[int]) -> None:
    """After a bulk issue: the "sent" hooks (each invoice in its own transaction) and the
    email, per invoice."""
    from firmpay.invoices.services import invoice_sent_followup

    invoices = Invoice.objects.select_related("firm", "client").filter(pk__in=invoice_ids)
    for invoice in invoices.order_by("id"):
        invoice_sent_followup(invoice=invoice)


@db_task(retries=3, retry_delay=60)
def invoices_sent_followups_split_task(invoice_ids: list[int], chunk: int) -> None:
    """A bulk issue's follow-ups, queued as one task per issue and split here into tasks of
    `chunk` invoices: each enqueue is a commit on Huey's SQLite file (~4 ms), which the
    issuing sweep paid 200 times per 100,000 invoices."""
    for start in range(0, len(invoice_ids), chunk):
        invoices_sent_followup_task(invoice_ids[start : start + chunk])
