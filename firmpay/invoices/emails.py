import logging

from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from firmpay.core.money import format_amount
from firmpay.core.text import one_line
from firmpay.invoices.hooks import invoice_email_extend, invoice_email_notes
from firmpay.invoices.links import invoice_link_url
from firmpay.invoices.models import Invoice, InvoiceEmail, InvoiceEmailStatus

logger = logging.getLogger(__name__)


def invoice_email_send(*, invoice: Invoice) -> None:
    """The invoice email to the client, with the link to the client-facing page."""
    firm = invoice.firm
    context = {
        "invoice": invoice,
        "firm": firm,
        "client": invoice.client,
        "link": invoice_link_url(invoice),
        "total": format_amount(invoice.total, invoice.currency),
        "amount_paid": format_amount(invoice.amount_paid, invoice.currency),
        "amount_due": format_amount(invoice.amount_due, invoice.currency),
        "notes": invoice_email_notes(invoice=invoice),
    }
    message = EmailMultiAlternatives(
        subject=f"Invoice {invoice.number} from {one_line(firm.name)}",
        body=render_to_string("invoices/email/invoice_sent.txt", context),
        to=[invoice.client.email],
        reply_to=[firm.email] if firm.email else None,
    )
    invoice_email_extend(message=message, invoice=invoice)
    message.send()


def invoice_email_deliver(*, email_id: int) -> None:
    """Sends one queued invoice email and records the outcome on its row: sent, or not sent
    with the reason. A message that cannot be built (a bad header, a bad address) fails at
    once; anything else (the mail server) is raised again so the task retries."""
    email = (
        InvoiceEmail.objects.select_related("invoice__firm", "invoice__client")
        .filter(pk=email_id, status__in=[InvoiceEmailStatus.QUEUED, InvoiceEmailStatus.FAILED])
        .first()
    )
    if email is None or email.invoice.is_void:
        return
    InvoiceEmail.objects.filter(pk=email.pk).update(attempts=F("attempts") + 1)
    try:
        invoice_email_send(invoice=email.invoice)
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"[:500]
        logger.warning("Invoice email %s not sent: %s", email.pk, reason)
        InvoiceEmail.objects.filter(pk=email.pk).update(
            status=InvoiceEmailStatus.FAILED, error=reason
        )
        if not isinstance(error, ValueError):
            raise
        return
    InvoiceEmail.objects.filter(pk=email.pk).update(
        status=InvoiceEmailStatus.SENT, error="", sent_at=timezone.now()
    )
