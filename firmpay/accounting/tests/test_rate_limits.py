"""Per-organisation limits: 60/min and 5 in flight for Xero (500 and 10 for QuickBooks),
counted across processes in the database (or Redis when REDIS_URL is set)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from firmpay.accounting.models import SyncItem, SyncStatus
from firmpay.accounting.providers.base import RateLimitWait
from firmpay.accounting.ratelimit import rate_gate
from firmpay.accounting.tests.flows import connect_xero, drain, sent_invoice

pytestmark = pytest.mark.django_db


def _key():
    import uuid

    return f"xero:{uuid.uuid4()}"


def test_the_61st_request_in_a_minute_waits_for_the_next_minute():
    key = _key()
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        for _ in range(60):
            with rate_gate(key=key, per_window=60, concurrent=5):
                pass
        with pytest.raises(RateLimitWait) as waited:
            with rate_gate(key=key, per_window=60, concurrent=5):
                pass
        assert 0 < waited.value.seconds <= 60
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        with rate_gate(key=key, per_window=60, concurrent=5):
            pass


def test_a_sixth_concurrent_request_waits():
    key = _key()
    from contextlib import ExitStack

    with ExitStack() as stack:
        for _ in range(5):
            stack.enter_context(rate_gate(key=key, per_window=60, concurrent=5))
        with pytest.raises(RateLimitWait):
            with rate_gate(key=key, per_window=60, concurrent=5):
                pass
    with rate_gate(key=key, per_window=60, concurrent=5):
        pass


def test_sync_defers_without_calling_xero_when_the_minute_is_spent(owner_client, firm, xero):
    connection = connect_xero(owner_client, xero)
    calls_before = len(xero.log)
    # Past the minute the connection's own calls were counted in.
    start = timezone.now() + datetime.timedelta(minutes=2)
    with time_machine.travel(start, tick=False):
        for _ in range(60):
            with rate_gate(key=connection.rate_key, per_window=60, concurrent=5):
                pass
        invoice = sent_invoice(firm)
        drain()
        item = SyncItem.objects.get(invoice=invoice)
        assert item.status == SyncStatus.PENDING and item.attempts == 0
        assert len(xero.log) == calls_before
    with time_machine.travel(start + datetime.timedelta(seconds=61)):
        drain()
    item.refresh_from_db()
    assert item.status == SyncStatus.DONE
