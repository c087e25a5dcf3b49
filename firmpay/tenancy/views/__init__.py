"""Tenancy pages: sign up and log in (auth), firms and plans (firms), members (members)."""

from django.shortcuts import redirect

from firmpay.tenancy.middleware import SESSION_FIRM_KEY


def session_firm_set(request, firm) -> None:
    """Makes `firm` the one the app shows (the middleware re-checks membership each request)."""
    request.session[SESSION_FIRM_KEY] = firm.pk


def redirect_home():
    return redirect("home")
