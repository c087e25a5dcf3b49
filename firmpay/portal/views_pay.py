"""Paying from the portal: the chosen open invoices (or all of them) in one checkout, and
the page Stripe sends the client back to (what it says comes from our records)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from firmpay.payments.exceptions import PaymentsUserError
from firmpay.payments.online.multi_checkout import checkout_start_several
from firmpay.payments.online.receipts import payment_receipt_lines
from firmpay.portal.decorators import portal_page
from firmpay.portal.selectors import portal_payment_attempt_get
from firmpay.portal.views_pages import portal_render

PAID_STATES = ("succeeded", "partially_refunded", "refunded", "won", "disputed")


@portal_page
@require_POST
def portal_pay(request):
    firm, client = request.portal_firm, request.portal_client
    home = request.build_absolute_uri(reverse("portal:home", kwargs={"firm_key": firm.portal_key}))
    chosen = None if request.POST.get("all") else request.POST.getlist("invoice")
    if chosen is not None:
        if not chosen or not all(value.isdigit() for value in chosen):
            messages.error(request, "Choose the invoices to pay.")
            return redirect(home)
        chosen = [int(value) for value in chosen]
    back = reverse("portal:paid_return", kwargs={"firm_key": firm.portal_key, "payment_id": 0})
    success = request.build_absolute_uri(back).replace("/0/", "/{payment_id}/")
    try:
        payment = checkout_start_several(
            firm=firm, client=client, invoice_ids=chosen, success_url=success, cancel_url=home
        )
    except PaymentsUserError as error:
        messages.error(request, str(error))
        return redirect(home)
    return HttpResponseRedirect(payment.checkout_url, status=303)


@portal_page
def portal_paid_return(request, payment_id):
    payment = portal_payment_attempt_get(client=request.portal_client, payment_id=payment_id)
    if payment.status in PAID_STATES:
        state = "paid"
    elif payment.status in ("processing", "failed"):
        state = payment.status
    else:
        state = "unconfirmed"
    return portal_render(
        request,
        "portal/paid_return.html",
        "open",
        payment=payment,
        state=state,
        lines=payment_receipt_lines(payment),
    )
