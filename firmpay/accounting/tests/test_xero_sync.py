"""Xero end to end through the respx fake: connect, invoice sent, paid, refund, void,
lost responses, 429/5xx, expired refresh tokens and reconnection."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from firmpay.accounting.crypto import token_decrypt
from firmpay.accounting.models import AccountingConnection, SyncItem, SyncStatus
from firmpay.accounting.services import accounting_on_payment_reversed
from firmpay.accounting.tests.flows import connect_xero, drain, pay, sent_invoice
from firmpay.core.models import AuditRecord
from firmpay.invoices.services import invoice_send, invoice_void

pytestmark = pytest.mark.django_db


def test_connect_picks_organisation_and_accounts_and_card_shows_connected(owner_client, firm, xero):
    connection = connect_xero(owner_client, xero, tenant=1, bank_code="800")

    assert connection.status == "connected"
    assert connection.org_name == "Acme Demo Company"
    assert connection.payment_account_code == "800"
    page = owner_client.get("/settings/integrations/").content.decode()
    assert 'id="xero-status">Connected<' in page
    assert "Acme Demo Company" in page
    assert AuditRecord.objects.filter(firm=firm, action="accounting.connected").count() == 1


def test_tokens_are_encrypted_at_rest(owner_client, xero):
    connection = connect_xero(owner_client, xero)

    newest = list(xero.oauth.refresh_tokens)[-1]
    assert newest not in connection.refresh_token_enc
    assert token_decrypt(connection.refresh_token_enc) == newest


def test_sent_invoice_creates_contact_and_invoice_once(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    invoice = sent_invoice(firm)
    drain()
    invoice_send(invoice=invoice)  # sending again changes nothing there
    drain()

    assert len(xero.contacts) == 1
    (remote,) = xero.invoices.values()
    assert remote["InvoiceNumber"] == "FP-" + invoice.number.removeprefix("INV-")
    assert remote["Status"] == "AUTHORISED"
    # 123.45 + 20% tax 24.69 + 2.5 x 40.00
    assert remote["Total"] == Decimal("248.14")
    assert remote["LineItems"][1]["Quantity"] == Decimal("2.50")
    page = owner_client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert 'id="accounting-sync-state">Synced<' in page
    assert remote["InvoiceID"] in page


def test_payment_recorded_once_even_when_the_first_response_is_lost(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    invoice = sent_invoice(firm)
    drain()
    xero.fail_next("timeout_after_store", path_contains="Payments", method="PUT")

    pay(invoice)
    drain()
    item = SyncItem.objects.get(key__endswith=":record")
    assert item.status == SyncStatus.PENDING and "timed out" in item.last_error
    assert len(xero.live_payments()) == 1  # Xero stored it; we never heard back

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        drain()

    item.refresh_from_db()
    assert item.status == SyncStatus.DONE and item.attempts == 2
    assert len(xero.live_payments()) == 1
    puts = xero.api_calls("PUT", "Payments")
    assert len(puts) == 2
    assert puts[0][2]["idempotency-key"] == puts[1][2]["idempotency-key"]
    (remote_invoice,) = xero.invoices.values()
    assert remote_invoice["Status"] == "PAID"


def test_refund_after_sync_deletes_the_payment(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    invoice = sent_invoice(firm)
    payment = pay(invoice)
    drain()

    accounting_on_payment_reversed(firm=firm, invoice=invoice, payment_key=f"manual:{payment.pk}")
    drain()

    (remote_payment,) = xero.payments.values()
    assert remote_payment["Status"] == "DELETED"
    (remote_invoice,) = xero.invoices.values()
    assert remote_invoice["Status"] == "AUTHORISED"
    assert remote_invoice["AmountDue"] == remote_invoice["Total"]


def test_voided_invoice_is_voided_there(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    invoice = sent_invoice(firm)
    drain()

    invoice_void(invoice=invoice)
    drain()

    (remote,) = xero.invoices.values()
    assert remote["Status"] == "VOIDED"


def test_429_waits_as_long_as_retry_after_says(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    xero.fail_next("429", path_contains="Contacts", retry_after=600)
    invoice = sent_invoice(firm)
    before = timezone.now()
    drain()

    item = SyncItem.objects.get(invoice=invoice)
    assert item.status == SyncStatus.PENDING
    assert item.next_attempt_at >= before + datetime.timedelta(seconds=600)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=300)):
        drain()
        assert not xero.contacts
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=601)):
        drain()
    item.refresh_from_db()
    assert item.status == SyncStatus.DONE and len(xero.invoices) == 1


def test_server_errors_back_off_then_succeed(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    xero.fail_next("500", path_contains="Invoices", times=2)
    invoice = sent_invoice(firm)
    drain()
    item = SyncItem.objects.get(invoice=invoice)
    first_wait = item.next_attempt_at - timezone.now()
    with time_machine.travel(item.next_attempt_at + datetime.timedelta(seconds=1)):
        drain()
        item.refresh_from_db()
        assert item.next_attempt_at - timezone.now() > first_wait  # exponential
    with time_machine.travel(item.next_attempt_at + datetime.timedelta(seconds=1)):
        drain()
    item.refresh_from_db()
    assert item.status == SyncStatus.DONE and item.attempts == 3
    assert len(xero.contacts) == 1 and len(xero.invoices) == 1


def test_rejected_sync_fails_visibly_and_retry_now_recovers(owner_client, firm, xero):
    connection = connect_xero(owner_client, xero)
    invoice = sent_invoice(firm)
    drain()
    # The chosen bank account was archived in Xero: payments are refused.
    xero.account("090")["Type"] = "CURRENT"
    pay(invoice)
    drain()

    item = SyncItem.objects.get(key__endswith=":record")
    assert item.status == SyncStatus.FAILED
    page = owner_client.get("/settings/integrations/").content.decode()
    assert 'id="xero-status">Error<' in page and "Account type is invalid" in page
    detail = owner_client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "Sync failed" in detail and "Retry now" in detail

    xero.account("090")["Type"] = "BANK"
    response = owner_client.post(
        f"/settings/integrations/accounting/invoices/{invoice.pk}/retry/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'id="accounting-sync"' in response.content.decode()
    drain()
    item.refresh_from_db()
    assert item.status == SyncStatus.DONE and len(xero.live_payments()) == 1
    connection.refresh_from_db()
    assert (
        'id="xero-status">Connected<'
        in owner_client.get("/settings/integrations/").content.decode()
    )


def test_refresh_stores_the_rotated_refresh_token(owner_client, firm, xero):
    connection = connect_xero(owner_client, xero)
    first = token_decrypt(connection.refresh_token_enc)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=45)):
        sent_invoice(firm)
        drain()
    connection.refresh_from_db()
    newest = token_decrypt(connection.refresh_token_enc)
    assert newest != first and newest == list(xero.oauth.refresh_tokens)[-1]
    assert xero.oauth.refresh_count == 1 and len(xero.invoices) == 1


def test_a_stale_copy_of_the_connection_does_not_refresh_twice(owner_client, xero):
    from firmpay.accounting.services import connection_access_token

    connect_xero(owner_client, xero)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=45)):
        copy_a = AccountingConnection.objects.get()
        copy_b = AccountingConnection.objects.get()
        token_a = connection_access_token(connection=copy_a)
        token_b = connection_access_token(connection=copy_b)
    assert token_a == token_b
    assert xero.oauth.refresh_count == 1


def test_expired_refresh_token_needs_reconnecting_and_reconnect_drains_backlog(
    owner_client, firm, xero
):
    connect_xero(owner_client, xero)
    invoice = sent_invoice(firm)
    drain()
    xero.oauth.expire_refresh_tokens()
    later = timezone.now() + datetime.timedelta(minutes=45)
    with time_machine.travel(later):
        pay(invoice)
        other = sent_invoice(firm, name="Pryce Holdings")
        drain()
        connection = AccountingConnection.objects.get()
        assert connection.status == "needs_reconnect"
        assert set(SyncItem.objects.filter(status="blocked").values_list("key", flat=True)) == {
            f"payment:manual:{invoice.manual_payments.get().pk}:record",
            f"invoice:{other.pk}:upsert:v1",
        }
        page = owner_client.get("/settings/integrations/").content.decode()
        assert 'id="xero-status">Needs reconnecting<' in page
        assert (
            "Waiting for reconnection"
            in owner_client.get(f"/invoices/{invoice.pk}/").content.decode()
        )

        connect_xero(owner_client, xero)  # the same organisation: live again at once
        drain()

    connection.refresh_from_db()
    assert connection.status == "connected"
    assert len(xero.live_payments()) == 1 and len(xero.invoices) == 2
    assert not SyncItem.objects.exclude(status="done").exists()
    assert AuditRecord.objects.filter(firm=firm, action="accounting.reconnected").exists()


def test_disconnect_revokes_and_stops_syncing(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    owner_client.post("/settings/integrations/accounting/disconnect/")

    connection = AccountingConnection.objects.get()
    assert connection.status == "disconnected" and not connection.refresh_token_enc
    assert xero.oauth.revoked and not xero.connections
    sent_invoice(firm)
    assert not SyncItem.objects.exists()
    assert AuditRecord.objects.filter(firm=firm, action="accounting.disconnected").exists()
    page = owner_client.get("/settings/integrations/").content.decode()
    assert 'id="xero-status">Not connected<' in page


def test_a_refused_access_token_is_refreshed_on_the_next_attempt(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    xero.oauth.access_tokens.clear()  # revoked on Xero's side; the refresh token still works
    invoice = sent_invoice(firm)
    drain()
    item = SyncItem.objects.get(invoice=invoice)
    assert item.status == SyncStatus.PENDING and "401" in item.last_error
    with time_machine.travel(item.next_attempt_at + datetime.timedelta(seconds=1)):
        drain()
    item.refresh_from_db()
    assert item.status == SyncStatus.DONE and xero.oauth.refresh_count == 1
