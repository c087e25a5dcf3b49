"""{% pay_panel invoice %} on the client's invoice page; {% invoice_payments_panel invoice %}
on the firm's invoice page."""

import uuid

from django import template
from django.urls import reverse

from firmpay.invoices.links import link_sign
from firmpay.invoices.models import InvoiceStatus
from firmpay.payments.autopay.panel import autopay_panel_context
from firmpay.payments.autopay.selectors import invoice_autopay_summary
from firmpay.payments.connect.selectors import (
    payment_account_can_take_charges,
    payment_account_for_firm,
)
from firmpay.payments.online.checkout import payable_amount
from firmpay.payments.online.models import PaymentMethodType, RefundReason
from firmpay.payments.online.selectors import (
    checkout_methods,
    checkout_settings_for_firm,
    invoice_online_amounts,
    invoice_overpayment,
    invoice_payments,
    payments_fees_attach,
)
from firmpay.tenancy.roles import Action

register = template.Library()


@register.inclusion_tag("payments/_pay_block.html", takes_context=True)
def pay_panel(context, invoice):
    firm = invoice.firm
    can_pay = payment_account_can_take_charges(firm=firm)
    amounts = invoice_online_amounts(invoice=invoice)
    payable = payable_amount(invoice=invoice)
    methods = []
    settings_row = checkout_settings_for_firm(firm=firm)
    if can_pay:
        account = payment_account_for_firm(firm=firm)
        labels = dict(PaymentMethodType.choices)
        methods = [
            labels[m]
            for m in checkout_methods(
                account=account, currency=invoice.currency, settings_row=settings_row
            )
        ]
    autopay = autopay_panel_context(invoice=invoice, can_pay=can_pay)
    return {
        **autopay,
        "invoice": invoice,
        "firm": firm,
        "csrf_token": context.get("csrf_token"),
        "can_pay": can_pay and payable > 0 and not autopay["charge_in_flight"],
        "online_unavailable": not can_pay,
        "processing": amounts.processing,
        "payment_processing": invoice.status == InvoiceStatus.PAYMENT_PROCESSING,
        "refunded": invoice.status == InvoiceStatus.REFUNDED,
        "payable": payable,
        "methods": methods,
        "allow_partial": settings_row.allow_partial,
        "partial_minimum": settings_row.partial_minimum,
        "pay_url": reverse("invoice_pay:pay", kwargs={"token": link_sign(invoice.link_token)}),
    }


@register.inclusion_tag("payments/_invoice_panel.html", takes_context=True)
def invoice_payments_panel(context, invoice):
    request = context.get("request")
    membership = getattr(request, "membership", None)
    payments = [p for p in invoice_payments(invoice=invoice) if p.status not in ("pending",)]
    payments_fees_attach(payments)  # gross, Stripe's fee, Firmpay's fee and net of each
    autopay = invoice_autopay_summary(invoice=invoice)
    return {
        "invoice": invoice,
        "autopay": autopay,
        "automatic_ids": autopay["payment_ids"] if autopay else set(),
        "payments": payments,
        "overpayment": invoice_overpayment(invoice=invoice),
        "can_refund": bool(membership and membership.may(Action.REFUND)),
        "request_key": uuid.uuid4().hex,
        "reasons": RefundReason.choices,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def plain_amount(amount, currency):
    """1250, "USD" → "12.50" (for an input's value)."""
    from firmpay.core.money import to_decimal

    return f"{to_decimal(int(amount), currency):f}"
