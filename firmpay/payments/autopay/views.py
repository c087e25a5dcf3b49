"""Autopay pages. Client side (no login, the signed link is the key): "Pay automatically
from now on" on the invoice page, and the client's autopay page (see, authorise, revoke).
Firm side: /payments/autopay/ (who pays automatically, who needs attention, retry
schedule, send an authorisation request)."""

from __future__ import annotations

import functools

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from firmpay.clients.models import Client
from firmpay.invoices.selectors import invoice_get_by_link
from firmpay.payments.autopay.authorise import (
    autopay_authorisation_complete,
    autopay_authorisation_revoke,
    autopay_authorisation_start,
    autopay_link_lifetime,
    autopay_link_read,
    autopay_link_renew,
    autopay_request_send,
)
from firmpay.payments.autopay.models import AutopayAuthorisation, AutopaySettings, CollectOn
from firmpay.payments.autopay.selectors import (
    autopay_firm_overview,
    client_authorisation,
    firm_local_date,
)
from firmpay.payments.exceptions import PaymentsUserError
from firmpay.tenancy.decorators import action_required, member_required
from firmpay.tenancy.roles import Action


def _no_referrer(response):
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt  # as the Pay button: the signed link is the only authority (see pay_views)
@require_POST
def invoice_autopay_start(request, token):
    invoice = invoice_get_by_link(signed_token=token)
    try:
        authorisation = autopay_authorisation_start(client=invoice.client, invoice=invoice)
    except PaymentsUserError as error:
        messages.error(request, str(error))
        return redirect(request.META.get("HTTP_REFERER") or "/")
    return _no_referrer(HttpResponseRedirect(authorisation.setup_url, status=303))


class _LinkExpired(Exception):
    def __init__(self, client):
        self.client = client


def _client(token):
    link = autopay_link_read(token)
    if link.client is None:
        raise Http404("This link is not valid.")
    if link.expired:
        raise _LinkExpired(link.client)
    return link.client


def _expired_page(request, token, client, *, sent: bool | None = None):
    response = render(
        request,
        "payments/autopay/expired.html",
        {
            "client": client,
            "firm": client.firm,
            "token": token,
            "sent": sent,
            "link_days": autopay_link_lifetime().days,
        },
        status=410 if sent is None else 200,
    )
    return _no_referrer(response)


def _signed_link(view):
    """The client's autopay pages: a forged link is a 404; an expired one shows the
    "this link has expired" page (which can email a new link) instead of the page."""

    @functools.wraps(view)
    def wrapped(request, token, *args, **kwargs):
        try:
            return view(request, token, *args, **kwargs)
        except _LinkExpired as expired:
            return _expired_page(request, token, expired.client)

    return wrapped


@csrf_exempt  # the signed link is the only authority, as on the other client pages
@require_POST
def client_autopay_renew(request, token):
    """The expired page's "Email me a new link": sent to the address the firm holds."""
    link = autopay_link_read(token)
    if link.client is None:
        raise Http404("This link is not valid.")
    if not link.expired:
        return redirect(reverse("autopay-manage", args=[token]))
    sent = autopay_link_renew(client=link.client)
    return _expired_page(request, token, link.client, sent=sent)


@never_cache
@_signed_link
def client_autopay_manage(request, token):
    client = _client(token)
    done = request.GET.get("done", "")
    if done.isdigit():
        pending = AutopayAuthorisation.objects.filter(
            firm=client.firm, client=client, pk=int(done)
        ).first()
        if pending is not None:
            try:
                autopay_authorisation_complete(authorisation=pending)
            except PaymentsUserError:
                pass  # the event will complete it; the page says "not confirmed yet"
    authorisation = client_authorisation(firm=client.firm, client_id=client.pk)
    response = render(
        request,
        "payments/autopay/client.html",
        {
            "client": client,
            "firm": client.firm,
            "authorisation": authorisation,
            # The firm's calendar day (this page is public: no firm time zone is active).
            "authorised_on": authorisation
            and authorisation.authorised_at
            and firm_local_date(client.firm, authorisation.authorised_at),
            "token": token,
            "just_done": done.isdigit(),
        },
    )
    return _no_referrer(response)


@csrf_exempt
@require_POST
@_signed_link
def client_autopay_start(request, token):
    client = _client(token)
    try:
        authorisation = autopay_authorisation_start(client=client)
    except PaymentsUserError as error:
        messages.error(request, str(error))
        return redirect(reverse("autopay-manage", args=[token]))
    return _no_referrer(HttpResponseRedirect(authorisation.setup_url, status=303))


@csrf_exempt
@require_POST
@_signed_link
def client_autopay_revoke(request, token):
    client = _client(token)
    authorisation = client_authorisation(firm=client.firm, client_id=client.pk)
    if authorisation is not None:
        autopay_authorisation_revoke(authorisation=authorisation)
        messages.success(
            request, "Automatic payments are switched off. Nothing more will be charged."
        )
    return redirect(reverse("autopay-manage", args=[token]))


class AutopaySettingsForm(forms.Form):
    retry_days = forms.CharField(
        label="Retry a failed automatic payment after (days)",
        required=False,
        help_text="Comma-separated, e.g. 3, 7: the first retry 3 days after a failure, the next "
        "7 days after that one. Empty: no retries. Never after a hard decline or a revoked mandate.",
    )
    default_collect_on = forms.ChoiceField(label="Collect automatically", choices=CollectOn.choices)

    def clean_retry_days(self):
        text = self.cleaned_data["retry_days"].strip()
        try:
            days = [int(part) for part in text.replace(" ", "").split(",") if part]
        except ValueError:
            raise forms.ValidationError(
                "Enter whole days separated by commas, like 3, 7."
            ) from None
        if any(not 1 <= d <= 60 for d in days) or len(days) > 5:
            raise forms.ValidationError("Up to 5 retries, each 1 to 60 days.")
        return days


@member_required
def firm_autopay(request):
    overview = autopay_firm_overview(firm=request.firm)
    current = overview["settings"]
    initial = {
        "retry_days": ", ".join(str(d) for d in current.retry_days),
        "default_collect_on": current.default_collect_on,
    }
    form = AutopaySettingsForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and request.membership.role in ("owner", "admin")
        and form.is_valid()
    ):
        AutopaySettings.objects.update_or_create(
            firm=request.firm,
            defaults={
                "retry_days": form.cleaned_data["retry_days"],
                "default_collect_on": form.cleaned_data["default_collect_on"],
            },
        )
        messages.success(request, "Autopay settings saved.")
        return redirect("online_payments:autopay")
    clients = Client.objects.filter(firm=request.firm).order_by("name")
    return render(
        request, "payments/autopay/firm.html", {**overview, "form": form, "clients": clients}
    )


@action_required(Action.PAYMENT_SETTINGS)
@require_POST
def firm_autopay_request(request):
    client_id = request.POST.get("client", "")
    client = (
        Client.objects.filter(firm=request.firm, pk=int(client_id)).first()
        if client_id.isdigit()
        else None
    )
    if client is None:
        raise Http404
    if not client.email:
        messages.error(request, f"{client.name} has no email address.")
    else:
        autopay_request_send(client=client, actor=request.user)
        messages.success(request, f"Authorisation request sent to {client.email}.")
    return redirect("online_payments:autopay")
