"""The firm's side of online payments: the payments list, refunds, checkout settings."""

import datetime

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from firmpay.core.live import POLL_SECONDS, live_stamp, live_url, unchanged
from firmpay.core.money import MoneyError, parse_amount
from firmpay.core.numbers import NumberError, WholeNumberField, whole_number
from firmpay.payments.exceptions import PaymentsUserError
from firmpay.payments.online.models import (
    CheckoutSettings,
    OnlinePaymentStatus,
    PaymentMethodType,
)
from firmpay.payments.online.refunds import payment_refund_create
from firmpay.payments.online.selectors import (
    checkout_settings_for_firm,
    firm_payments,
    online_payment_get,
    payments_fees_attach,
    payments_live_state,
    payments_totals,
)
from firmpay.tenancy.decorators import action_required, member_required
from firmpay.tenancy.roles import Action

PAGE_SIZE = 100


class PaymentFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *OnlinePaymentStatus.choices]
    )
    method = forms.ChoiceField(
        required=False, choices=[("", "Any method"), *PaymentMethodType.choices]
    )
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


@member_required
def payment_list(request):
    latest, count, moving = payments_live_state(firm=request.firm)
    stamp = live_stamp(latest, count)
    if (response := unchanged(request, stamp)) is not None:
        return response
    filters = PaymentFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = firm_payments(
        firm=request.firm,
        status=data.get("status") or "",
        method=data.get("method") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    # What each payment itself left in the firm's balance: gross less both fees (refunds
    # are their own column).
    payments = payments_fees_attach(list(rows[:PAGE_SIZE]))
    context = {
        "filters": filters,
        "payments": payments,
        "totals": payments_totals(rows),
        "page_size": PAGE_SIZE,
        # Follow webhooks while a payment is still on its way.
        "live_url": live_url(request, stamp) if moving else "",
        "poll_seconds": POLL_SECONDS,
    }
    return render(request, "payments/list.html", context)


@require_POST
@action_required(Action.REFUND)
def payment_refund(request, payment_id):
    payment = online_payment_get(firm=request.firm, payment_id=payment_id)
    text = (request.POST.get("amount") or "").strip()
    try:
        if request.POST.get("minor") == "1":
            amount = whole_number(text, minimum=1)
        else:
            amount = parse_amount(text, payment.currency)
    except (MoneyError, NumberError):
        messages.error(request, "Enter the amount to refund, like 25.00.")
        return redirect("invoices:detail", invoice_id=payment.invoice_id)
    try:
        refund = payment_refund_create(
            payment=payment,
            amount=amount,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            actor=request.user,
            request_key=request.POST.get("request_key", ""),
            request=request,
        )
    except PaymentsUserError as error:
        messages.error(request, str(error))
    else:
        from firmpay.core.money import format_amount

        messages.success(
            request,
            f"Refund of {format_amount(refund.amount, refund.currency)} sent to Stripe.",
        )
    return redirect("invoices:detail", invoice_id=payment.invoice_id)


class CheckoutSettingsForm(forms.ModelForm):
    partial_minimum = WholeNumberField(
        label="Smallest part payment (in cents/pence)",
        help_text="Minor units of the invoice's currency",
        min_value=0,
        max_value=10**13,
    )

    class Meta:
        model = CheckoutSettings
        fields = ["ach_enabled", "bacs_enabled", "allow_partial", "partial_minimum"]
        labels = {
            "ach_enabled": "Offer ACH direct debit (USD invoices)",
            "bacs_enabled": "Offer Bacs direct debit (GBP invoices)",
            "allow_partial": "Let clients pay part of an invoice",
            "partial_minimum": "Smallest part payment (in cents/pence)",
        }


@member_required
def checkout_settings(request):
    row = checkout_settings_for_firm(firm=request.firm)
    form = CheckoutSettingsForm(request.POST or None, instance=row)
    if request.method == "POST":
        if not request.membership.may(Action.PAYMENT_SETTINGS):
            messages.error(request, "Only owners and admins change payment settings.")
        elif form.is_valid():
            form.instance.firm = request.firm
            form.save()
            messages.success(request, "Online payment settings saved.")
            return redirect("online_payments:settings")
    return render(
        request,
        "payments/settings.html",
        {"form": form, "settings_section": "payments", "today": datetime.date.today()},
    )
