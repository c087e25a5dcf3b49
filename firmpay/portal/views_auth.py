"""Signing in to a firm's portal by email link, and out again."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from firmpay.ops.throttle import client_ip
from firmpay.portal.decorators import portal_headers
from firmpay.portal.exceptions import LinkInvalid, SignInThrottled
from firmpay.portal.selectors import portal_firm_get
from firmpay.portal.services import portal_signin_consume, portal_signin_request
from firmpay.portal.session import portal_session_client, portal_session_end, portal_session_grant


class SignInForm(forms.Form):
    email = forms.EmailField(label="Your email address", max_length=254)


def _home(firm):
    return reverse("portal:home", kwargs={"firm_key": firm.portal_key})


@never_cache
def portal_home(request, firm_key):
    """Open invoices when signed in to this firm's portal, otherwise the sign-in form."""
    firm = portal_firm_get(firm_key=firm_key)
    client = portal_session_client(request, firm=firm)
    if client is not None:
        from firmpay.portal.views_pages import open_invoices_page

        request.portal_firm, request.portal_client = firm, client
        return portal_headers(open_invoices_page(request))
    return _signin_page(request, firm, SignInForm())


def _signin_page(request, firm, form, *, sent=False, status=200):
    context = {"firm": firm, "client": None, "form": form, "sent": sent}
    return portal_headers(render(request, "portal/signin.html", context, status=status))


@never_cache
@require_POST
def portal_signin(request, firm_key):
    firm = portal_firm_get(firm_key=firm_key)
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _signin_page(request, firm, form, status=400)
    try:
        portal_signin_request(firm=firm, email=form.cleaned_data["email"], ip=client_ip(request))
    except SignInThrottled as error:
        form.add_error(None, str(error))
        return _signin_page(request, firm, form, status=429)
    # The same answer whether or not the address is one of the firm's clients.
    return _signin_page(request, firm, SignInForm(), sent=True)


@never_cache
def portal_signin_link(request, firm_key, token):
    """GET shows a button, POST signs in: mail scanners that open links do not use them up."""
    firm = portal_firm_get(firm_key=firm_key)
    if request.method != "POST":
        return portal_headers(render(request, "portal/signin_link.html", {"firm": firm}))
    try:
        client = portal_signin_consume(firm=firm, token=token)
    except LinkInvalid as error:
        messages.error(request, str(error))
        return portal_headers(redirect(_home(firm)))
    portal_session_grant(request, client=client)
    return portal_headers(redirect(_home(firm)))


@require_POST
def portal_signout(request, firm_key):
    firm = portal_firm_get(firm_key=firm_key)
    portal_session_end(request, firm=firm)
    messages.success(request, "You are signed out.")
    return redirect(_home(firm))
