"""The event worker thread of every Huey consumer: takes stored events without any queue."""

import json
import time

import pytest

from firmpay.payments.event_worker import EventWorker
from firmpay.payments.models import StripeEvent
from firmpay.payments.services.events import stripe_event_store
from firmpay.payments.tests.conftest import event_payload


def wait_until(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)
def test_the_worker_processes_events_stored_while_it_waits():
    worker = EventWorker(batch=10, poll_s=0.02)
    worker.start()
    try:
        time.sleep(0.1)  # idle: nothing stored yet
        for i in range(25):
            payload = event_payload(event_id=f"evt_worker_{i}", account="acct_nobody")
            stripe_event_store(payload=payload, data=json.loads(payload))
        finished = wait_until(lambda: StripeEvent.objects.filter(status="ignored").count() == 25)
    finally:
        worker.stop()
    assert finished and not worker.is_alive()
    assert set(StripeEvent.objects.values_list("attempts", flat=True)) == {1}
