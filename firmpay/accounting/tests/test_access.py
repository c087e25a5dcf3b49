"""Who may connect, and a firm never triggering or seeing another firm's sync."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from firmpay.accounting.models import AccountingConnection, SyncItem
from firmpay.accounting.selectors import accounting_cards, invoice_sync_state
from firmpay.accounting.services import accounting_on_payment_succeeded
from firmpay.accounting.tests.flows import connect_xero, drain, pay, sent_invoice, start_oauth
from firmpay.tenancy.tests.factories import client_for, make_firm, make_member, make_owner

pytestmark = pytest.mark.django_db


def test_staff_cannot_connect_or_disconnect(staff_client, xero):
    assert staff_client.post(reverse("accounting:xero_connect")).status_code == 403
    assert staff_client.post(reverse("accounting:disconnect")).status_code == 403
    page = staff_client.get("/settings/integrations/").content.decode()
    assert "Only owners and admins can connect Xero" in page


def test_an_admin_can_connect(firm, xero):
    admin = make_member(firm, role="admin").user
    connection = connect_xero(client_for(admin, firm), xero)
    assert connection.connected_by == admin


def test_state_is_single_use(owner_client, xero):
    params = start_oauth(owner_client, "xero")
    callback = reverse("accounting:xero_callback")
    first = owner_client.get(callback, {"code": xero.oauth.issue_code(), "state": params["state"]})
    assert first["Location"].endswith("/setup/")
    replay = owner_client.get(
        callback, {"code": xero.oauth.issue_code(), "state": params["state"]}, follow=True
    )
    assert "expired or was already used" in replay.content.decode()


def test_state_expires(owner_client, xero):
    params = start_oauth(owner_client, "xero")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        response = owner_client.get(
            reverse("accounting:xero_callback"),
            {"code": xero.oauth.issue_code(), "state": params["state"]},
            follow=True,
        )
    assert "expired or was already used" in response.content.decode()
    assert not AccountingConnection.objects.exists()


def test_another_firms_owner_cannot_use_this_firms_state(
    owner_client, other_owner, other_firm, xero
):
    params = start_oauth(owner_client, "xero")
    other = client_for(other_owner, other_firm)
    response = other.get(
        reverse("accounting:xero_callback"),
        {"code": xero.oauth.issue_code(), "state": params["state"]},
        follow=True,
    )
    assert "expired or was already used" in response.content.decode()
    assert not AccountingConnection.objects.exists()


def test_denied_consent_connects_nothing(owner_client, xero):
    params = start_oauth(owner_client, "xero")
    response = owner_client.get(
        reverse("accounting:xero_callback"),
        {"error": "access_denied", "state": params["state"]},
        follow=True,
    )
    assert "cancelled" in response.content.decode()
    assert not AccountingConnection.objects.exists()


def test_one_accounting_connection_per_firm(owner_client, firm, xero, qbo):
    connect_xero(owner_client, xero)
    response = owner_client.post(reverse("accounting:quickbooks_connect"), follow=True)
    assert "already has an accounting connection" in response.content.decode()
    with pytest.raises(IntegrityError):
        AccountingConnection.objects.create(firm=firm, vendor="quickbooks", status="setup")


def test_another_firm_never_sees_or_retries_this_firms_sync(
    owner_client, firm, other_owner, other_firm, xero
):
    connect_xero(owner_client, xero)
    xero.fail_next("500", path_contains="Contacts", times=20)
    invoice = sent_invoice(firm)
    drain()
    other = client_for(other_owner, other_firm)

    assert other.get(f"/settings/integrations/accounting/invoices/{invoice.pk}/").status_code == 404
    retry = other.post(f"/settings/integrations/accounting/invoices/{invoice.pk}/retry/")
    assert retry.status_code == 404
    other.post("/settings/integrations/accounting/retry/")
    other.post("/settings/integrations/accounting/disconnect/")
    page = other.get("/settings/integrations/").content.decode()
    assert "Acme Books Ltd" not in page and 'id="xero-status">Not connected<' in page
    assert AccountingConnection.objects.get().status == "connected"
    item = SyncItem.objects.get()
    assert item.attempts == 1  # firm B's "Retry now" did not touch it
    assert [card.connection for card in accounting_cards(firm=other_firm)] == [None, None]
    with pytest.raises(ValueError):
        invoice_sync_state(firm=other_firm, invoice=invoice)
    with pytest.raises(ValueError):
        accounting_on_payment_succeeded(
            firm=other_firm,
            invoice=invoice,
            payment_key="x",
            amount=100,
            currency="USD",
            paid_on=datetime.date.today(),
        )


def test_a_firm_without_a_connection_writes_no_rows(firm):
    invoice = sent_invoice(firm)
    pay(invoice)
    assert not SyncItem.objects.exists()


def test_sending_kicks_the_worker_after_commit(
    owner_client, firm, xero, django_capture_on_commit_callbacks
):
    connect_xero(owner_client, xero)
    with django_capture_on_commit_callbacks(execute=True):
        sent_invoice(firm)
    assert SyncItem.objects.get().status == "done" and len(xero.invoices) == 1


def test_a_second_firm_syncs_to_its_own_organisation(owner_client, firm, xero):
    owner_b = make_owner(make_firm(name="Brook Partners"))
    connect_xero(owner_client, xero, tenant=0)
    connect_xero(client_for(owner_b, owner_b.firm), xero, tenant=1)
    sent_invoice(firm)
    sent_invoice(owner_b.firm, name="Client of B")
    drain()
    tenants = {row["Contact"]["ContactID"]: row["tenant"] for row in xero.invoices.values()}
    assert sorted(xero.contacts[c]["Name"] for c in tenants) == [
        "Client of B",
        "Hollis & Daughters",
    ]
    assert set(tenants.values()) == {xero.tenants[0]["id"], xero.tenants[1]["id"]}


def test_card_says_unavailable_without_app_credentials(owner_client, accounting_settings):
    accounting_settings.XERO_CLIENT_ID = ""
    page = owner_client.get("/settings/integrations/").content.decode()
    assert 'id="xero-unavailable"' in page and 'id="quickbooks-connect"' in page
    response = owner_client.post(reverse("accounting:xero_connect"), follow=True)
    assert "not configured" in response.content.decode()


def test_owner_changes_the_payment_account_later(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    assert "Change accounts" in owner_client.get("/settings/integrations/").content.decode()
    owner_client.post(
        "/settings/integrations/accounting/setup/",
        {
            "payment_account": xero.account("800")["AccountID"],
            "income_account": xero.account("260")["AccountID"],
        },
    )
    connection = AccountingConnection.objects.get()
    assert (connection.payment_account_code, connection.income_account_code) == ("800", "260")
    from firmpay.core.models import AuditRecord

    assert AuditRecord.objects.filter(firm=firm, action="accounting.accounts_changed").exists()


def test_a_receivables_account_is_refused_for_payments(owner_client, xero):
    connect_xero(owner_client, xero)
    response = owner_client.post(
        "/settings/integrations/accounting/setup/",
        {
            "payment_account": xero.account("610")["AccountID"],
            "income_account": xero.account("200")["AccountID"],
        },
    )
    assert "Choose a bank or clearing account" in response.content.decode()
    assert AccountingConnection.objects.get().payment_account_code == "090"
