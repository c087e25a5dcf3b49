"""The firm's branding on emails to its clients: an HTML alternative of the plain-text body
with the firm's logo and accent colour (the text part stays as it is)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from firmpay.documents.selectors import branding_for


def branded_html(*, firm, text: str) -> str:
    branding = branding_for(firm=firm)
    logo_url = ""
    if branding.has_logo:
        path = reverse("documents:logo", kwargs={"firm_id": firm.pk, "version": branding.version})
        logo_url = settings.SITE_URL + path
    context = {"firm": firm, "branding": branding, "logo_url": logo_url, "text": text}
    return render_to_string("documents/email/branded.html", context)


def branded_alternative_attach(message: EmailMultiAlternatives, *, firm) -> None:
    message.attach_alternative(branded_html(firm=firm, text=message.body), "text/html")


def invoice_email_extend(*, message: EmailMultiAlternatives, invoice) -> None:
    """The invoice email (invoices hook): the PDF attached, the firm's branding."""
    from firmpay.documents.attachments import invoice_pdf_attachment

    message.attach(*invoice_pdf_attachment(invoice=invoice))
    branded_alternative_attach(message, firm=invoice.firm)
