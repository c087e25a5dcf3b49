"""The first invoice for a client who already exists in the ledger links that contact
instead of creating a second one (problem 2); when a *different* contact holds the name,
the invoice says so and the firm links it or creates a distinct one in one click."""

import pytest

from firmpay.accounting.models import RemoteRecord, SyncItem, SyncStatus
from firmpay.accounting.tests.flows import connect_quickbooks, connect_xero, drain, sent_invoice
from firmpay.clients.services import client_create
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build, line

pytestmark = pytest.mark.django_db


def _client_contact(invoice) -> str:
    return RemoteRecord.objects.get(local_key=f"client:{invoice.client_id}").remote_id


def test_xero_links_the_contact_already_there_by_name_and_email(owner_client, firm, xero):
    existing = xero.add_contact("Hollis & Daughters", "accounts@hollis.test")
    connect_xero(owner_client, xero)

    invoice = sent_invoice(firm)
    drain()

    assert len(xero.contacts) == 1
    assert _client_contact(invoice) == existing["ContactID"]
    (remote,) = xero.invoices.values()
    assert remote["Contact"]["ContactID"] == existing["ContactID"]


def test_xero_finds_our_client_reference_first(owner_client, firm, xero):
    client = client_create(firm=firm, name="Pryce Holdings", email="ap@pryce.test")
    # A contact renamed in Xero still carries our reference in ContactNumber.
    renamed = xero.add_contact("Pryce Holdings Ltd", "", number=f"FIRMPAY-{client.pk}")
    connect_xero(owner_client, xero)

    invoice = invoice_send(
        invoice=invoice_build(firm=firm, client=client, lines=[line("Tax", "1", 5000)])
    )
    drain()

    assert _client_contact(invoice) == renamed["ContactID"]
    assert len(xero.contacts) == 1


def test_a_new_xero_contact_carries_our_client_reference(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    invoice = sent_invoice(firm)
    drain()

    (contact,) = xero.contacts.values()
    assert contact["ContactNumber"] == f"FIRMPAY-{invoice.client_id}"


def test_a_different_contact_holding_the_name_is_shown_on_the_invoice(owner_client, firm, xero):
    xero.add_contact("Hollis & Daughters", "books@another-hollis.test")
    connect_xero(owner_client, xero)

    invoice = sent_invoice(firm)
    drain()

    item = SyncItem.objects.get(key__endswith=":upsert:v1")
    assert item.status == SyncStatus.FAILED and "different contact" in item.last_error
    assert len(xero.contacts) == 1 and not xero.invoices
    page = owner_client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "Client needs linking" in page
    assert 'id="accounting-contact-link"' in page and "books@another-hollis.test" in page
    assert 'id="accounting-contact-distinct"' in page
    card = owner_client.get("/settings/integrations/").content.decode()
    assert 'id="xero-status">Error<' in card  # a failed row still shows on the card


def test_linking_the_holder_sends_the_invoice_to_it(owner_client, firm, xero):
    holder = xero.add_contact("Hollis & Daughters", "books@another-hollis.test")
    connect_xero(owner_client, xero)
    invoice = sent_invoice(firm)
    drain()

    response = owner_client.post(
        f"/settings/integrations/accounting/invoices/{invoice.pk}/contact/link/",
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    drain()

    assert SyncItem.objects.get(key__endswith=":upsert:v1").status == SyncStatus.DONE
    assert len(xero.contacts) == 1
    (remote,) = xero.invoices.values()
    assert remote["Contact"]["ContactID"] == holder["ContactID"]


def test_creating_a_distinct_contact_names_it_apart(owner_client, firm, xero):
    xero.add_contact("Hollis & Daughters", "books@another-hollis.test")
    connect_xero(owner_client, xero)
    invoice = sent_invoice(firm)
    drain()

    owner_client.post(f"/settings/integrations/accounting/invoices/{invoice.pk}/contact/distinct/")
    drain()

    names = sorted(contact["Name"] for contact in xero.contacts.values())
    assert names == ["Hollis & Daughters", f"Hollis & Daughters (FIRMPAY-{invoice.client_id})"]
    assert SyncItem.objects.get(key__endswith=":upsert:v1").status == SyncStatus.DONE


def test_quickbooks_links_the_customer_with_the_display_name(owner_client, firm, qbo):
    existing = qbo.add_customer("Hollis & Daughters", "accounts@hollis.test")
    connect_quickbooks(owner_client, qbo)

    invoice = sent_invoice(firm)
    drain()

    assert len(qbo.customers) == 1
    assert _client_contact(invoice) == existing["Id"]


def test_quickbooks_links_the_customer_by_email(owner_client, firm, qbo):
    existing = qbo.add_customer("Hollis and Daughters Ltd", "accounts@hollis.test")
    connect_quickbooks(owner_client, qbo)

    invoice = sent_invoice(firm)
    drain()

    assert len(qbo.customers) == 1 and _client_contact(invoice) == existing["Id"]


def test_a_quickbooks_vendor_holding_the_name_offers_a_distinct_customer(owner_client, firm, qbo):
    qbo.other_names.add("Hollis & Daughters")  # a supplier of the firm, not a customer
    connect_quickbooks(owner_client, qbo)
    invoice = sent_invoice(firm)
    drain()

    page = owner_client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert 'id="accounting-contact-distinct"' in page
    assert 'id="accounting-contact-link"' not in page
    owner_client.post(f"/settings/integrations/accounting/invoices/{invoice.pk}/contact/distinct/")
    drain()

    (customer,) = qbo.customers.values()
    assert customer["DisplayName"] == f"Hollis & Daughters (FIRMPAY-{invoice.client_id})"
    assert len(qbo.invoices) == 1
