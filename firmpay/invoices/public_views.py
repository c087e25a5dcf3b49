"""The client-facing invoice page at /i/<signed token>/: no login, the link is the key."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from firmpay.invoices import selectors
from firmpay.invoices.dates import firm_today

# Later issues render a template that extends this one and fills {% block pay %}.
PUBLIC_TEMPLATE = "payments/public_invoice.html"  # fills {% block pay %} (firmpay/payments)


def invoice_public_context(invoice) -> dict:
    today = firm_today(invoice.firm)
    return {
        "invoice": invoice,
        "firm": invoice.firm,
        "client": invoice.client,
        "lines": list(invoice.lines.all()),
        "display_status": selectors.invoice_display_status(invoice, today),
    }


@never_cache
def invoice_public(request, token):
    invoice = selectors.invoice_get_by_link(signed_token=token)
    response = render(request, PUBLIC_TEMPLATE, invoice_public_context(invoice))
    # The link is a bearer secret: keep it out of Referer headers sent to other sites.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
