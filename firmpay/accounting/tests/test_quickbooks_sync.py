"""QuickBooks Online end to end through the respx fake."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from firmpay.accounting.models import AccountingConnection, SyncItem, SyncStatus
from firmpay.accounting.services import accounting_on_payment_reversed
from firmpay.accounting.tests.flows import connect_quickbooks, drain, pay, sent_invoice
from firmpay.invoices.services import invoice_void

pytestmark = pytest.mark.django_db


def test_connect_uses_the_realm_from_the_callback(owner_client, qbo):
    connection = connect_quickbooks(owner_client, qbo)

    assert connection.org_id == qbo.realm and connection.org_name == "Acme Books LLC"
    assert connection.payment_account_name == "Undeposited Funds"
    page = owner_client.get("/settings/integrations/").content.decode()
    assert 'id="quickbooks-status">Connected<' in page and "Acme Books LLC" in page
    # One accounting system at a time: the Xero card offers no Connect.
    assert 'id="xero-connect"' not in page


def test_invoice_sent_then_paid_books_customer_invoice_and_payment_once(owner_client, firm, qbo):
    connect_quickbooks(owner_client, qbo)
    invoice = sent_invoice(firm)
    drain()
    qbo.fail_next("timeout_after_store", path_contains="payment", method="POST")
    pay(invoice)
    drain()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        drain()

    (customer,) = qbo.customers.values()
    assert customer["DisplayName"] == "Hollis & Daughters"
    (remote,) = qbo.invoices.values()
    assert remote["DocNumber"] == "FP-" + invoice.number.removeprefix("INV-") and remote[
        "TotalAmt"
    ] == Decimal("248.14")
    assert remote["Balance"] == 0
    assert len(qbo.live_payments()) == 1
    posts = qbo.api_calls("POST", "payment")
    assert len(posts) == 2
    item = SyncItem.objects.get(key__endswith=":record")
    assert item.status == SyncStatus.DONE and item.attempts == 2


def test_refund_deletes_the_payment_and_reopens_the_invoice(owner_client, firm, qbo):
    connect_quickbooks(owner_client, qbo)
    invoice = sent_invoice(firm)
    payment = pay(invoice)
    drain()

    accounting_on_payment_reversed(firm=firm, invoice=invoice, payment_key=f"manual:{payment.pk}")
    drain()

    (remote_payment,) = qbo.payments.values()
    assert remote_payment["deleted"]
    (remote_invoice,) = qbo.invoices.values()
    assert remote_invoice["Balance"] == remote_invoice["TotalAmt"]


def test_voided_invoice_is_voided_there(owner_client, firm, qbo):
    connect_quickbooks(owner_client, qbo)
    invoice = sent_invoice(firm)
    drain()
    invoice_void(invoice=invoice)
    drain()
    (remote,) = qbo.invoices.values()
    assert remote["voided"]


def test_throttle_exceeded_honours_retry_after(owner_client, firm, qbo):
    connect_quickbooks(owner_client, qbo)
    qbo.fail_next("429", path_contains="customer", retry_after=90)
    invoice = sent_invoice(firm)
    before = timezone.now()
    drain()
    item = SyncItem.objects.get(invoice=invoice)
    assert item.next_attempt_at >= before + datetime.timedelta(seconds=90)
    assert "asked us to slow down (429)" in item.last_error
    with time_machine.travel(item.next_attempt_at + datetime.timedelta(seconds=1)):
        drain()
    item.refresh_from_db()
    assert item.status == SyncStatus.DONE and len(qbo.customers) == 1


def test_revoked_access_needs_reconnecting_then_the_backlog_drains(owner_client, firm, qbo):
    connect_quickbooks(owner_client, qbo)
    qbo.oauth.expire_refresh_tokens()
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        invoice = sent_invoice(firm)
        pay(invoice)
        drain()
        assert AccountingConnection.objects.get().status == "needs_reconnect"
        assert SyncItem.objects.filter(status="blocked").count() == 2
        page = owner_client.get("/settings/integrations/").content.decode()
        assert 'id="quickbooks-status">Needs reconnecting<' in page
        assert 'id="quickbooks-reconnect"' in page

        connect_quickbooks(owner_client, qbo)
        drain()
    assert len(qbo.invoices) == 1 and len(qbo.live_payments()) == 1
    assert not SyncItem.objects.exclude(status="done").exists()


def test_invoice_lines_share_one_item_carrying_the_income_account(owner_client, firm, qbo):
    connect_quickbooks(owner_client, qbo)
    sent_invoice(firm)
    sent_invoice(firm, name="Pryce Holdings")
    drain()
    (item,) = qbo.items.values()
    assert item["IncomeAccountRef"] == {"value": "79"} and item["Type"] == "Service"
    assert len(qbo.invoices) == 2 and len(qbo.customers) == 2
