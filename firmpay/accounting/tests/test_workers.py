"""What several workers do at once: one token refresh under the row lock, one claim per row,
and the sweeper picking up rows whose worker died."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection as db_connection
from django.db import connections
from django.utils import timezone

from firmpay.accounting.models import AccountingConnection, SyncItem, SyncStatus
from firmpay.accounting.services import connection_access_token, sync_items_sweep
from firmpay.accounting.tests.flows import connect_xero, sent_invoice


@pytest.mark.django_db
def test_sweeper_returns_rows_of_a_dead_worker(
    owner_client, firm, xero, django_capture_on_commit_callbacks
):
    connect_xero(owner_client, xero)
    invoice = sent_invoice(firm)
    SyncItem.objects.filter(invoice=invoice).update(
        status=SyncStatus.RUNNING, claimed_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    assert sync_items_sweep() == 0  # still claimed
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=6)):
        with django_capture_on_commit_callbacks(execute=True):
            assert sync_items_sweep() == 1
    assert SyncItem.objects.get(invoice=invoice).status == SyncStatus.DONE
    assert len(xero.invoices) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    db_connection.vendor != "postgresql", reason="row locks across threads need PostgreSQL"
)
def test_two_workers_refresh_an_expired_token_once(owner_client, xero):
    connect_xero(owner_client, xero)
    xero.oauth.delay = 0.3
    AccountingConnection.objects.update(access_expires_at=timezone.now())
    tokens, errors = [], []

    def worker():
        try:
            copy = AccountingConnection.objects.get()
            tokens.append(connection_access_token(connection=copy))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert xero.oauth.refresh_count == 1 and tokens[0] == tokens[1]
