from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from firmpay.core.money import format_amount
from firmpay.invoices.hooks import invoice_email_notes
from firmpay.invoices.links import invoice_link_url
from firmpay.invoices.models import Invoice


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
    message = EmailMessage(
        subject=f"Invoice {invoice.number} from {firm.name}",
        body=render_to_string("invoices/email/invoice_sent.txt", context),
        to=[invoice.client.email],
        reply_to=[firm.email] if firm.email else None,
    )
    message.send()
