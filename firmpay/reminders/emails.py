"""The reminder email to a client, and the notice to the firm when a client unsubscribes."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from firmpay.core.money import format_amount
from firmpay.invoices.links import invoice_link_url
from firmpay.payments.autopay.selectors import invoice_collection_date
from firmpay.reminders.placeholders import placeholders_render
from firmpay.reminders.schedule import StepText
from firmpay.reminders.tokens import unsubscribe_url
from firmpay.tenancy.models import Membership, Role


def placeholder_values(invoice) -> dict[str, str]:
    return {
        "client_name": invoice.client.name,
        "invoice_number": invoice.number,
        "amount_due": format_amount(invoice.amount_due, invoice.currency),
        "due_date": f"{invoice.due_date.day} {invoice.due_date:%B %Y}",
        "pay_link": invoice_link_url(invoice),
    }


def _one_line(text: str) -> str:
    return " ".join(text.split())


def reminder_render(*, invoice, text: StepText) -> tuple[str, str]:
    """(subject, body) of a reminder, the unsubscribe footer included."""
    values = placeholder_values(invoice)
    subject = _one_line(placeholders_render(text.subject, values))
    body = placeholders_render(text.body, values).strip()
    collection = invoice_collection_date(invoice=invoice)
    if collection is not None:
        # A charge is scheduled: say when it happens instead of asking the client to pay.
        subject = (
            f"Invoice {invoice.number}: {values['amount_due']} will be collected automatically"
        )
        body = (
            f"Hello {invoice.client.name},\n\nInvoice {invoice.number} for "
            f"{values['amount_due']} will be collected automatically on "
            f"{collection.day} {collection:%B %Y}. There is nothing for you to do.\n\n"
            f"View the invoice: {values['pay_link']}"
        )
    footer = render_to_string(
        "reminders/email/footer.txt",
        {"firm": invoice.firm, "unsubscribe_url": unsubscribe_url(invoice.client_id)},
    )
    return subject, f"{body}\n\n{footer.strip()}\n"


def reminder_message(*, invoice, subject: str, body: str) -> EmailMessage:
    firm = invoice.firm
    link = unsubscribe_url(invoice.client_id)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[invoice.client.email],
        reply_to=[firm.email] if firm.email else None,
        # RFC 8058 one-click unsubscribe: mail apps POST to the link.
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def firm_notice_recipients(firm) -> list[str]:
    if firm.email:
        return [firm.email]
    owners = Membership.objects.filter(firm=firm, role=Role.OWNER).select_related("user")
    return sorted({membership.user.email for membership in owners})


def optout_notice_send(*, client) -> int:
    """Tell the firm that a client stopped their reminders."""
    recipients = firm_notice_recipients(client.firm)
    if not recipients:
        return 0
    body = render_to_string("reminders/email/optout_notice.txt", {"client": client})
    message = EmailMessage(
        subject=f"{client.name} unsubscribed from payment reminders",
        body=body,
        to=recipients,
    )
    return message.send()
