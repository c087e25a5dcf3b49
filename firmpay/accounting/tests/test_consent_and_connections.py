"""Consent as Xero gives it in 2026: granular scopes for apps created on or after 2 March
2026 (configurable per deployment), a plain message when the app may not have what we ask,
and only the organisations granted in *this* consent offered (problems 1 and 7)."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from firmpay.accounting.models import AccountingConnection
from firmpay.accounting.tests.flows import SETUP, start_oauth

pytestmark = pytest.mark.django_db


def test_consent_asks_for_granular_scopes_a_new_xero_app_may_have(owner_client, xero):
    params = start_oauth(owner_client, "xero")

    scopes = params["scope"].split()
    assert "accounting.transactions" not in scopes
    assert {"accounting.invoices", "accounting.payments", "offline_access"} <= set(scopes)
    assert xero.scope_error(params["scope"]) == ""


def test_an_older_app_can_ask_for_broad_scopes_through_xero_scopes(owner_client, xero, settings):
    settings.XERO_SCOPES = "offline_access accounting.transactions accounting.contacts"

    params = start_oauth(owner_client, "xero")

    assert params["scope"] == settings.XERO_SCOPES
    assert xero.scope_error(params["scope"]) == "invalid_scope"  # this fake app is new


def test_a_refused_scope_says_what_the_operator_must_change(owner_client, xero, settings):
    settings.XERO_SCOPES = "offline_access accounting.transactions"
    params = start_oauth(owner_client, "xero")
    error = xero.scope_error(params["scope"])

    response = owner_client.get(
        reverse("accounting:xero_callback"), {"error": error, "state": params["state"]}, follow=True
    )

    page = response.content.decode()
    assert "XERO_SCOPES" in page and "2 March 2026" in page and "granular" in page
    assert not AccountingConnection.objects.exists()


def test_the_organisation_picker_offers_only_what_this_consent_granted(owner_client, xero):
    # Both organisations were connected to the app before; this consent grants only one.
    earlier, granted = xero.tenants[0], xero.tenants[1]
    params = start_oauth(owner_client, "xero")
    code = xero.consent([granted["id"]])

    response = owner_client.get(
        reverse("accounting:xero_callback"), {"code": code, "state": params["state"]}
    )

    connection = AccountingConnection.objects.get()
    assert [choice["id"] for choice in connection.org_choices] == [granted["id"]]
    assert connection.org_id == granted["id"]  # the only one: chosen without asking
    assert response["Location"] == SETUP
    page = owner_client.get(SETUP).content.decode()
    assert earlier["name"] not in page
    (connections_call,) = [
        call for call in xero.identity_log if urlparse(call).path == "/connections"
    ]
    assert parse_qs(urlparse(connections_call).query)["authEventId"] == [
        xero.events[next(cid for cid, tid in xero.connections.items() if tid == granted["id"])]
    ]
