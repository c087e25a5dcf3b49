"""Idle connections kept alive (problem 6), QuickBooks' 10 a second and 60 s after a 429,
paged account queries (problem 8), idempotency keys per deployment (problem 9), and Xero
payments 50 to a request (problem 10)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from firmpay.accounting.models import AccountingConnection, RateBucket, SyncItem, SyncStatus
from firmpay.accounting.providers.base import RateLimitWait
from firmpay.accounting.ratelimit import rate_gate
from firmpay.accounting.services import accounting_on_payment_succeeded
from firmpay.accounting.services.tokens import connections_keep_alive
from firmpay.accounting.tests.flows import connect_quickbooks, connect_xero, drain, sent_invoice

pytestmark = pytest.mark.django_db


# --- keep-alive ----------------------------------------------------------------------------


def _idle(connection, days: int) -> None:
    AccountingConnection.objects.filter(pk=connection.pk).update(
        token_refreshed_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_a_connection_idle_for_weeks_is_refreshed(owner_client, xero):
    connection = connect_xero(owner_client, xero)
    _idle(connection, 30)

    assert connections_keep_alive() == {"refreshed": 1, "revoked": 0, "failed": 0}

    connection.refresh_from_db()
    assert connection.status == "connected" and xero.oauth.refresh_count == 1
    assert timezone.now() - connection.token_refreshed_at < datetime.timedelta(minutes=1)


def test_a_recently_used_connection_is_left_alone(owner_client, xero):
    connect_xero(owner_client, xero)

    assert connections_keep_alive() == {"refreshed": 0, "revoked": 0, "failed": 0}
    assert xero.oauth.refresh_count == 0


def test_a_vendor_outage_during_keep_alive_leaves_the_connection_connected(
    owner_client, xero, router
):
    import httpx

    connection = connect_xero(owner_client, xero)
    _idle(connection, 30)
    router.post("https://identity.xero.com/connect/token").mock(
        return_value=httpx.Response(503, text="<html>down</html>")
    )

    assert connections_keep_alive()["failed"] == 1
    connection.refresh_from_db()
    assert connection.status == "connected"


def test_only_a_refused_refresh_token_needs_reconnecting(owner_client, xero):
    connection = connect_xero(owner_client, xero)
    _idle(connection, 61)
    xero.oauth.expire_refresh_tokens()

    assert connections_keep_alive()["revoked"] == 1
    connection.refresh_from_db()
    assert connection.status == "needs_reconnect"


# --- QuickBooks limits ---------------------------------------------------------------------


def test_quickbooks_counts_ten_requests_a_second(db):
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(seconds=5)
    with time_machine.travel(start, tick=False):
        for _ in range(10):
            with rate_gate(key="quickbooks:1", per_window=10, concurrent=10, window_seconds=1):
                pass
        with pytest.raises(RateLimitWait) as wait:
            with rate_gate(key="quickbooks:1", per_window=10, concurrent=10, window_seconds=1):
                pass
    assert wait.value.seconds <= 1
    with time_machine.travel(start + datetime.timedelta(seconds=1), tick=False):
        with rate_gate(key="quickbooks:1", per_window=10, concurrent=10, window_seconds=1):
            pass


def test_a_quickbooks_429_in_xml_without_retry_after_waits_sixty_seconds(owner_client, firm, qbo):
    connection = connect_quickbooks(owner_client, qbo)
    qbo.fail_next("429_xml", path_contains="/customer", method="POST")

    sent_invoice(firm)
    before = timezone.now()
    drain()

    item = SyncItem.objects.get()
    assert item.status == SyncStatus.PENDING
    wait = (item.next_attempt_at - before).total_seconds()
    assert 59 <= wait <= 62
    # The whole company pauses: nothing else goes out before then.
    bucket = RateBucket.objects.get(key=connection.rate_key)
    assert (bucket.paused_until - before).total_seconds() >= 59
    calls = len(qbo.log)
    with pytest.raises(RateLimitWait):
        with rate_gate(key=connection.rate_key, per_window=10, concurrent=10, window_seconds=1):
            pass
    assert len(qbo.log) == calls


def test_quickbooks_accounts_are_read_a_page_at_a_time(owner_client, firm, qbo):
    qbo.add_accounts(250)  # 254 accounts: pages of 100
    connect_quickbooks(owner_client, qbo)

    account_queries = [request for request in qbo.query_log if "from Account" in request]
    assert [q.split("STARTPOSITION ")[1] for q in account_queries[:3]] == [
        "1 MAXRESULTS 100",
        "101 MAXRESULTS 100",
        "201 MAXRESULTS 100",
    ]


# --- idempotency keys ----------------------------------------------------------------------


def test_idempotency_keys_carry_the_deployment_id(owner_client, firm, xero, qbo, settings):
    settings.ACCOUNTING_DEPLOYMENT_ID = "prod7"
    connect_xero(owner_client, xero)
    sent_invoice(firm)
    drain()

    keys = [headers.get("idempotency-key") for method, _, headers in xero.log if method == "PUT"]
    assert keys and all(key.startswith("firmpay-prod7-") for key in keys)


def test_two_deployments_on_one_quickbooks_company_do_not_replay_each_other(
    owner_client, firm, qbo, settings
):
    from firmpay.accounting.models import RemoteRecord

    settings.ACCOUNTING_DEPLOYMENT_ID = "staging"
    connect_quickbooks(owner_client, qbo)
    sent_invoice(firm)
    drain()
    # The same row ids on another deployment (production, restored from the same data).
    RemoteRecord.objects.all().delete()
    SyncItem.objects.update(status=SyncStatus.PENDING, next_attempt_at=timezone.now())
    settings.ACCOUNTING_DEPLOYMENT_ID = "production"
    qbo.customers.clear()
    qbo.invoices.clear()

    drain()

    # Answered afresh (a replay would point at the deleted customer and invoice).
    assert len(qbo.customers) == 1 and len(qbo.invoices) == 1
    ids = {key[1] for key in qbo.requests}
    assert any("-staging-" in key for key in ids) and any("-production-" in key for key in ids)


# --- month-end batches ---------------------------------------------------------------------


def _many_paid(firm, count: int) -> list:
    invoices = [sent_invoice(firm, name=f"Client {n}", email=f"c{n}@x.test") for n in range(count)]
    return invoices


def test_xero_payments_go_fifty_to_a_request(owner_client, firm, xero, monkeypatch):
    from firmpay.accounting.providers.xero import XeroProvider

    connect_xero(owner_client, xero)
    with monkeypatch.context() as unlimited:  # the invoices went out earlier in the month
        unlimited.setattr(XeroProvider, "per_minute", 10_000)
        invoices = _many_paid(firm, 52)
        drain(max_rounds=200)
    puts_before = len(xero.api_calls("PUT", "Payments"))

    for invoice in invoices:
        accounting_on_payment_succeeded(
            firm=firm,
            invoice=invoice,
            payment_key=f"manual:{invoice.pk}",
            amount=invoice.total,
            currency=invoice.currency,
            paid_on=datetime.date(2026, 11, 30),
            reference=invoice.number,
        )
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2), tick=True):
        drain(max_rounds=20)

    assert len(xero.api_calls("PUT", "Payments")) - puts_before == 2  # 50 + 2
    assert len(xero.live_payments()) == 52
    records = SyncItem.objects.filter(key__endswith=":record")
    assert records.count() == 52 and set(records.values_list("status", flat=True)) == {"done"}


def test_one_refused_payment_in_a_batch_fails_only_itself(owner_client, firm, xero):
    connect_xero(owner_client, xero)
    invoices = _many_paid(firm, 3)
    drain()
    for n, invoice in enumerate(invoices):
        accounting_on_payment_succeeded(
            firm=firm,
            invoice=invoice,
            payment_key=f"manual:{invoice.pk}",
            amount=invoice.total * (10 if n == 1 else 1),  # more than is due: refused
            currency=invoice.currency,
            paid_on=datetime.date(2026, 11, 30),
        )
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=True):
        drain()

    statuses = list(
        SyncItem.objects.filter(key__endswith=":record")
        .order_by("id")
        .values_list("status", flat=True)
    )
    assert statuses == ["done", "failed", "done"]
    assert len(xero.api_calls("PUT", "Payments")) == 1
