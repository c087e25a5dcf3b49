from django import template

from firmpay.accounting import selectors

register = template.Library()


@register.inclusion_tag("accounting/_cards.html", takes_context=True)
def accounting_cards(context):
    request = context["request"]
    membership = getattr(request, "membership", None)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "cards": selectors.accounting_cards(firm=request.firm),
        "can_manage": membership is not None and membership.can_manage,
    }


@register.inclusion_tag("accounting/_invoice_sync.html", takes_context=True)
def invoice_sync_panel(context, invoice):
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "invoice": invoice,
        "sync": selectors.invoice_sync_state(firm=request.firm, invoice=invoice),
    }


@register.inclusion_tag("accounting/_payout_booking.html", takes_context=True)
def payout_booking(context, payout):
    request = context["request"]
    return {
        "booking": selectors.payout_booking_state(
            firm=request.firm, stripe_payout_id=payout.stripe_payout_id
        ),
    }
