"""The signed-in client's pages: open and paid invoices, payments, statement, details."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from firmpay.documents.selectors import branding_for
from firmpay.invoices.dates import firm_today
from firmpay.invoices.public_views import invoice_public_context
from firmpay.portal.decorators import portal_page
from firmpay.portal.exceptions import PortalError
from firmpay.portal.selectors import (
    portal_invoice_get,
    portal_manual_payments,
    portal_open_invoices,
    portal_paid_invoices,
    portal_payments,
    portal_statement,
)
from firmpay.portal.services import (
    CONTACT_FIELDS,
    portal_contact_update,
    portal_email_change_confirm,
    portal_email_change_request,
)


def portal_render(request, template: str, section: str, **context):
    firm = request.portal_firm
    branding = branding_for(firm=firm)
    base = {
        "firm": firm,
        "client": request.portal_client,
        "section": section,
        "branding": branding,
        "locale": branding.locale,
    }
    return render(request, template, {**base, **context})


def open_invoices_page(request):
    invoices = portal_open_invoices(client=request.portal_client)
    today = firm_today(request.portal_firm)
    due = {}
    for invoice in invoices:
        invoice.overdue = invoice.is_overdue_on(today)
        due[invoice.currency] = due.get(invoice.currency, 0) + invoice.amount_due
    return portal_render(
        request, "portal/open.html", "open", invoices=invoices, due=sorted(due.items())
    )


@portal_page
def portal_paid(request):
    invoices = portal_paid_invoices(client=request.portal_client)
    return portal_render(request, "portal/paid.html", "paid", invoices=invoices)


@portal_page
def portal_invoice(request, invoice_id):
    invoice = portal_invoice_get(client=request.portal_client, invoice_id=invoice_id)
    return portal_render(request, "portal/invoice.html", "open", **invoice_public_context(invoice))


@portal_page
def portal_payment_history(request):
    client = request.portal_client
    return portal_render(
        request,
        "portal/payments.html",
        "payments",
        payments=portal_payments(client=client),
        manual_payments=portal_manual_payments(client=client),
    )


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The period must start before it ends.")
        return data


def statement_period(request) -> tuple[PeriodForm, datetime.date, datetime.date]:
    """The chosen period, or this calendar year to today."""
    today = firm_today(request.portal_firm)
    default = {"start": today.replace(month=1, day=1), "end": today}
    form = PeriodForm(request.GET if "start" in request.GET else None, initial=default)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default["start"], default["end"]


@portal_page
def portal_statement_page(request):
    form, start, end = statement_period(request)
    statement = portal_statement(client=request.portal_client, start=start, end=end)
    return portal_render(
        request, "portal/statement.html", "statement", form=form, statement=statement
    )


class ContactForm(forms.Form):
    name = forms.CharField(max_length=200)
    address_line1 = forms.CharField(label="Address line 1", max_length=200, required=False)
    address_line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(max_length=100, required=False)
    postcode = forms.CharField(label="Postcode / ZIP", max_length=20, required=False)
    country = forms.CharField(max_length=100, required=False)


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(label="New email address", max_length=254)


@portal_page
def portal_details(request):
    client = request.portal_client
    contact = ContactForm(initial={f: getattr(client, f) for f in CONTACT_FIELDS})
    email_form = EmailChangeForm()
    here = reverse("portal:details", kwargs={"firm_key": request.portal_firm.portal_key})
    if request.method == "POST" and request.POST.get("form") == "contact":
        contact = ContactForm(request.POST)
        if contact.is_valid():
            portal_contact_update(client=client, **contact.cleaned_data)
            messages.success(request, "Your details are saved.")
            return redirect(here)
    elif request.method == "POST" and request.POST.get("form") == "email":
        email_form = EmailChangeForm(request.POST)
        if email_form.is_valid():
            try:
                change = portal_email_change_request(
                    client=client, new_email=email_form.cleaned_data["new_email"]
                )
            except PortalError as error:
                email_form.add_error("new_email", str(error))
            else:
                messages.success(
                    request, f"We sent a link to {change.new_email}: follow it to confirm."
                )
                return redirect(here)
    return portal_render(
        request, "portal/details.html", "details", contact=contact, email_form=email_form
    )


@portal_page
def portal_email_confirm(request, token):
    client = request.portal_client
    here = reverse("portal:details", kwargs={"firm_key": request.portal_firm.portal_key})
    if request.method != "POST":
        return portal_render(request, "portal/email_confirm.html", "details")
    try:
        client = portal_email_change_confirm(firm=request.portal_firm, client=client, token=token)
    except PortalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Invoices now go to {client.email}.")
    return redirect(here)


@portal_page
def portal_payment_methods(request):
    # Saved cards, debit mandates and autopay authorisations arrive with the autopay issue:
    # it fills `methods` and `authorisations` from its own selectors.
    return portal_render(request, "portal/methods.html", "methods", methods=[], authorisations=[])
