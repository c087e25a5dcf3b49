"""The behaviours that cross several calls, against the accounting sandbox (Xero and
QuickBooks as documented, every request checked against the vendors' own definitions):
the demo firm's client already in each ledger is linked, invoices are numbered with the
firm's prefix beside the ledger's own, tax is mapped, payments land once, a UK QuickBooks
company gets its VAT codes, and nothing we send violates the schemas."""

from decimal import Decimal

import pytest

from firmpay.accounting.models import SyncItem, SyncStatus
from firmpay.accounting.tests import sandbox_flows
from firmpay.accounting.tests.flows import drain, pay, sent_invoice

pytestmark = pytest.mark.django_db

CLIENT = {"name": "Acme Hardware LLC", "email": "ap@acme-hardware.test"}


@pytest.fixture
def ledgers(settings, accounting_sandbox):
    sandbox_flows.point_at(settings, accounting_sandbox)
    accounting_sandbox.control("POST", "config", {"rate_limits": False})
    yield accounting_sandbox
    assert accounting_sandbox.violations() == []


def _statuses() -> set[str]:
    return set(SyncItem.objects.values_list("status", flat=True))


def test_xero_links_the_existing_contact_and_books_invoice_and_payment_once(
    owner_client, firm, ledgers
):
    sandbox_flows.connect(
        owner_client, ledgers, "xero", ledgers.xero_uk, tax="20% (VAT on Income)", tax_zero="Zero"
    )
    invoice = sent_invoice(firm, **CLIENT)
    drain()
    pay(invoice)
    drain()

    assert _statuses() == {SyncStatus.DONE}
    books = ledgers.control("GET", f"xero/organisations/{ledgers.xero_uk}/ledger")
    acme = [c for c in books["contacts"] if c["Name"] == CLIENT["name"]]
    assert len(acme) == 1
    (ours,) = [i for i in books["invoices"] if i["InvoiceNumber"].startswith("FP-")]
    assert ours["Contact"]["ContactID"] == acme[0]["ContactID"]
    assert [line["TaxType"] for line in ours["LineItems"]] == ["OUTPUT2", "ZERORATEDOUTPUT"]
    assert ours["Status"] == "PAID"
    payments = [p for p in books["payments"] if p["Invoice"]["InvoiceID"] == ours["InvoiceID"]]
    assert len(payments) == 1 and Decimal(str(payments[0]["Amount"])) == Decimal("248.14")


def test_uk_quickbooks_sends_vat_codes_and_links_the_existing_customer(owner_client, firm, ledgers):
    sandbox_flows.connect(
        owner_client,
        ledgers,
        "quickbooks",
        ledgers.qbo_uk,
        income="Services",
        tax="20.0% S",
        tax_zero="0.0% Z",
    )
    invoice = sent_invoice(firm, **CLIENT)
    drain()
    pay(invoice)
    drain()

    assert _statuses() == {SyncStatus.DONE}
    books = ledgers.control("GET", f"quickbooks/companies/{ledgers.qbo_uk}/ledger")
    acme = [c for c in books["customers"] if c["DisplayName"] == CLIENT["name"]]
    assert len(acme) == 1
    (ours,) = [i for i in books["invoices"] if str(i.get("DocNumber", "")).startswith("FP-")]
    assert ours["CustomerRef"]["value"] == acme[0]["Id"]
    assert all(
        "TaxCodeRef" in line["SalesItemLineDetail"]
        for line in ours["Line"]
        if line.get("DetailType") == "SalesItemLineDetail"
    )
    assert Decimal(str(ours["Balance"])) == 0
    linked = [
        p
        for p in books["payments"]
        if any(t["TxnId"] == ours["Id"] for line in p["Line"] for t in line["LinkedTxn"])
    ]
    assert len(linked) == 1


def test_a_quickbooks_vendor_holding_the_client_name_asks_the_firm(owner_client, firm, ledgers):
    sandbox_flows.connect(owner_client, ledgers, "quickbooks", ledgers.qbo_us, income="Services")
    invoice = sent_invoice(firm, name="Bright Dental PC", email="office@bright-dental.test")
    drain()

    item = SyncItem.objects.get()
    assert item.status == SyncStatus.FAILED and "Create a distinct contact" in item.last_error
    owner_client.post(f"/settings/integrations/accounting/invoices/{invoice.pk}/contact/distinct/")
    drain()

    assert _statuses() == {SyncStatus.DONE}


def test_xeros_own_numbering_is_refused_as_a_prefix(owner_client, firm, ledgers):
    with pytest.raises(AssertionError):
        sandbox_flows.connect(owner_client, ledgers, "xero", ledgers.xero_us, invoice_prefix="INV-")
    response = owner_client.get("/settings/integrations/accounting/setup/")
    assert response.status_code == 200


@pytest.mark.parametrize("mode", ["fault_in_200", "html", "empty", "wrong_types"])
def test_unexpected_quickbooks_answers_are_counted_retries(owner_client, firm, ledgers, mode):
    sandbox_flows.connect(owner_client, ledgers, "quickbooks", ledgers.qbo_us, income="Services")
    ledgers.fault(vendor="quickbooks", path="/invoice", method="POST", mode=mode, status=200)

    sent_invoice(firm, **CLIENT)
    drain()

    item = SyncItem.objects.get()
    assert item.status == SyncStatus.PENDING and item.attempts == 1, item.last_error
    assert item.last_error.startswith(("QuickBooks", "The answer", "Unexpected"))


@pytest.mark.parametrize("mode", ["fault_in_200", "html", "empty", "wrong_types"])
def test_unexpected_xero_answers_are_counted_retries(owner_client, firm, ledgers, mode):
    sandbox_flows.connect(owner_client, ledgers, "xero", ledgers.xero_us)
    ledgers.fault(vendor="xero", path="/Invoices", method="PUT", mode=mode, status=200)

    sent_invoice(firm, **CLIENT)
    drain()

    item = SyncItem.objects.get()
    assert item.status == SyncStatus.PENDING and item.attempts == 1, item.last_error
    assert item.last_error.startswith(("Xero", "The answer", "Unexpected"))


def test_a_quickbooks_xml_429_pauses_the_company_for_sixty_seconds(owner_client, firm, ledgers):
    from django.utils import timezone

    sandbox_flows.connect(owner_client, ledgers, "quickbooks", ledgers.qbo_us, income="Services")
    ledgers.control("POST", "config", {"quickbooks_xml_429_every": 1})
    ledgers.fault(vendor="quickbooks", path="/invoice", method="POST", mode="429")

    sent_invoice(firm, **CLIENT)
    before = timezone.now()
    drain()

    item = SyncItem.objects.get()
    assert item.status == SyncStatus.PENDING
    assert 59 <= (item.next_attempt_at - before).total_seconds() <= 62


def test_keep_alive_outlives_xeros_sixty_idle_days(owner_client, firm, ledgers):
    import datetime

    from django.utils import timezone

    from firmpay.accounting.models import AccountingConnection
    from firmpay.accounting.services.tokens import connections_keep_alive

    connection = sandbox_flows.connect(owner_client, ledgers, "xero", ledgers.xero_uk)
    for _ in range(3):  # three quiet months, the daily task running every three weeks
        ledgers.advance(days=21)
        AccountingConnection.objects.filter(pk=connection.pk).update(
            token_refreshed_at=timezone.now() - datetime.timedelta(days=21, minutes=1),
            access_expires_at=timezone.now() - datetime.timedelta(minutes=1),
        )
        assert connections_keep_alive()["refreshed"] == 1

    sent_invoice(firm, **CLIENT)
    drain()
    connection.refresh_from_db()
    assert connection.status == "connected" and _statuses() == {SyncStatus.DONE}


def test_without_keep_alive_sixty_idle_days_need_reconnecting(owner_client, firm, ledgers):
    import datetime

    from django.utils import timezone

    from firmpay.accounting.models import AccountingConnection

    connection = sandbox_flows.connect(owner_client, ledgers, "xero", ledgers.xero_uk)
    ledgers.advance(days=61)
    AccountingConnection.objects.filter(pk=connection.pk).update(
        access_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    sent_invoice(firm, **CLIENT)
    drain()

    connection.refresh_from_db()
    assert connection.status == "needs_reconnect"
    assert SyncItem.objects.get().status == SyncStatus.BLOCKED
