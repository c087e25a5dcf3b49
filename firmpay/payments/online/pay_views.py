"""The client's side of paying an invoice, under the invoice link /i/<signed token>/:
start a checkout, and the page Stripe sends the client back to. No login: the link is
the key. What these pages say comes from our records, never from the redirect."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from firmpay.core.money import MoneyError, parse_amount
from firmpay.invoices.links import invoice_link_path
from firmpay.invoices.selectors import invoice_get_by_link
from firmpay.payments.exceptions import PaymentsUserError
from firmpay.payments.online.checkout import checkout_start
from firmpay.payments.online.selectors import online_payment_for_invoice

# Refresh the return page every this many seconds until the payment settles one way.
POLL_SECONDS = 2


def _no_referrer(response):
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt
@require_POST
def invoice_pay(request, token):
    """The Pay button: reuse or create the Checkout Session, send the client there.

    CSRF-exempt on purpose: the invoice page is served with `Referrer-Policy: no-referrer`,
    so browsers post its form with `Origin: null`, which Django's CSRF check refuses; and
    the request carries no ambient authority to forge (no login, no cookie: whoever can
    post here already holds the invoice link, and all it does is open a checkout)."""
    invoice = invoice_get_by_link(signed_token=token)
    page = request.build_absolute_uri(invoice_link_path(invoice))
    amount = None
    text = (request.POST.get("amount") or "").strip()
    if text:
        try:
            amount = parse_amount(text, invoice.currency)
        except MoneyError:
            messages.error(request, "Enter the amount to pay, like 120.00.")
            return redirect(page)
    try:
        payment = checkout_start(invoice=invoice, return_url=page, amount=amount)
    except PaymentsUserError as error:
        messages.error(request, str(error))
        return redirect(page)
    return _no_referrer(HttpResponseRedirect(payment.checkout_url, status=303))


def _return_context(invoice, payment) -> dict:
    invoice.refresh_from_db()
    payment.refresh_from_db()
    if payment.status in ("succeeded", "partially_refunded", "refunded", "won", "disputed"):
        state = "paid"
    elif payment.status == "processing":
        state = "processing"
    elif payment.status == "failed":
        state = "failed"
    else:
        state = "unconfirmed"
    return {
        "invoice": invoice,
        "firm": invoice.firm,
        "payment": payment,
        "state": state,
        "final": state in ("paid", "failed"),
        "poll_seconds": POLL_SECONDS,
        "invoice_path": invoice_link_path(invoice),
        "token": invoice_link_path(invoice).strip("/").split("/")[-1],
    }


@never_cache
def invoice_paid(request, token, payment_id):
    """Where Checkout's success_url lands: paid / processing / not yet confirmed."""
    invoice = invoice_get_by_link(signed_token=token)
    payment = online_payment_for_invoice(invoice=invoice, payment_id=payment_id)
    context = _return_context(invoice, payment)
    template = (
        "payments/_return_state.html"
        if request.headers.get("HX-Request")
        else ("payments/return.html")
    )
    return _no_referrer(render(request, template, context))
