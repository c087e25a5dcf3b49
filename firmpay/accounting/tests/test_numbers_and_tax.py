"""Invoice numbers with the firm's prefix, checked against the ledger and linked on a
re-sync (problem 3); the ledger's tax rates mapped and sent on every line (problem 4)."""

from decimal import Decimal

import pytest

from firmpay.accounting.models import AccountingConnection, RemoteRecord, SyncItem, SyncStatus
from firmpay.accounting.services import sync_items_retry
from firmpay.accounting.tests.flows import SETUP, connect_quickbooks, connect_xero, drain
from firmpay.accounting.tests.flows import sent_invoice as send

pytestmark = pytest.mark.django_db


def test_a_prefix_the_ledger_already_uses_is_refused_at_setup(owner_client, firm, xero):
    theirs = xero.add_contact("Walk-in customer")
    xero.add_invoice("FP-0007", theirs)

    with pytest.raises(AssertionError):  # the setup form does not go through
        connect_xero(owner_client, xero)

    page = owner_client.get(SETUP).content.decode()
    connection = AccountingConnection.objects.get()
    assert connection.status == "setup"
    response = owner_client.post(
        SETUP,
        {
            "payment_account": xero.account("090")["AccountID"],
            "income_account": xero.account("200")["AccountID"],
            "invoice_prefix": "FP-",
        },
    )
    page = response.content.decode()
    assert "already has invoices numbered FP-… (e.g. FP-0007)" in page


def test_a_free_prefix_numbers_the_invoices_there(owner_client, firm, xero):
    xero.add_invoice("INV-0001", xero.add_contact("Walk-in customer"))
    connect_xero(owner_client, xero, invoice_prefix="HB-")

    invoice = send(firm)
    drain()

    ours = [i for i in xero.invoices.values() if i["InvoiceNumber"].startswith("HB-")]
    assert [i["InvoiceNumber"] for i in ours] == ["HB-" + invoice.number.removeprefix("INV-")]


def _lose_what_was_synced():
    """Firmpay's database restored from before the sync: nothing says it reached Xero."""
    RemoteRecord.objects.all().delete()
    SyncItem.objects.update(status=SyncStatus.FAILED)


def test_a_resync_after_data_loss_links_the_invoice_already_there(owner_client, firm, xero):
    connection = connect_xero(owner_client, xero)
    invoice = send(firm)
    drain()
    _lose_what_was_synced()

    sync_items_retry(firm=firm)
    drain()

    assert len(xero.invoices) == 1 and len(xero.contacts) == 1
    (remote,) = xero.invoices.values()
    linked = RemoteRecord.objects.get(connection=connection, local_key=f"invoice:{invoice.pk}")
    assert linked.remote_id == remote["InvoiceID"]


def test_a_resync_after_data_loss_links_the_quickbooks_invoice_too(owner_client, firm, qbo):
    connect_quickbooks(owner_client, qbo)
    send(firm)
    drain()
    _lose_what_was_synced()

    sync_items_retry(firm=firm)
    drain()

    assert len(qbo.invoices) == 1 and len(qbo.customers) == 1


def test_a_number_held_by_another_invoice_fails_plainly(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    # Someone typed our next number into Xero by hand, for another client.
    xero.add_invoice("FP-0001", xero.add_contact("Someone else"), total="10.00")

    send(firm)
    drain()

    item = SyncItem.objects.get(key__endswith=":upsert:v1")
    assert item.status == SyncStatus.FAILED
    assert "FP-0001 is already used in Xero by another invoice" in item.last_error


def test_xero_lines_carry_the_mapped_tax_rate(owner_client, firm, xero):
    connect_xero(owner_client, xero, tax_code="OUTPUT2", tax_code_zero="ZERORATEDOUTPUT")

    send(firm)  # one line with 20% tax, one without
    drain()

    (remote,) = xero.invoices.values()
    assert [line["TaxType"] for line in remote["LineItems"]] == ["OUTPUT2", "ZERORATEDOUTPUT"]


def test_xero_setup_offers_only_sales_tax_rates(owner_client, firm, xero):
    connect_xero(owner_client, xero)

    page = owner_client.get(SETUP).content.decode()
    assert "20% (VAT on Income)" in page and "VAT on Expenses" not in page


@pytest.fixture
def qbo_uk(router, accounting_settings):
    from firmpay.accounting.tests.fakes.quickbooks import FakeQuickBooks

    return FakeQuickBooks(company="Hollis Books Ltd", country="GB").install(router)


def test_a_uk_quickbooks_company_needs_the_tax_mapping_at_setup(owner_client, firm, qbo_uk):
    with pytest.raises(AssertionError):
        connect_quickbooks(owner_client, qbo_uk)

    response = owner_client.post(SETUP, {"payment_account": "4", "income_account": "79"})
    assert "needs a tax code on every invoice line" in response.content.decode()
    assert AccountingConnection.objects.get().status == "setup"


def test_uk_quickbooks_lines_carry_tax_code_refs(owner_client, firm, qbo_uk):
    connect_quickbooks(owner_client, qbo_uk, tax_code="3", tax_code_zero="5")

    send(firm)
    drain()

    (remote,) = qbo_uk.invoices.values()
    refs = [line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in remote["Line"]]
    assert refs == ["3", "5"]
    assert SyncItem.objects.get().status == SyncStatus.DONE


def test_us_quickbooks_lines_need_no_tax_code(owner_client, firm, qbo):
    connect_quickbooks(owner_client, qbo)

    send(firm)
    drain()

    (remote,) = qbo.invoices.values()
    assert all("TaxCodeRef" not in line["SalesItemLineDetail"] for line in remote["Line"])
    assert Decimal(remote["TxnTaxDetail"]["TotalTax"]) == Decimal("24.69")
