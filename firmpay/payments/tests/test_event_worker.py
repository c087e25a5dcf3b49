"""The event worker thread of every Huey consumer: takes stored events without any queue."""

import json
import os
import sys
import threading
import time

import pytest
from django.db import connection

from firmpay.payments.event_worker import EventWorker
from firmpay.payments.models import StripeEvent
from firmpay.payments.services import events
from firmpay.payments.services.events import stripe_event_store
from firmpay.payments.tests.conftest import event_payload, notifications


def wait_until(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)
def test_the_worker_processes_events_stored_while_it_waits(settings):
    settings.STRIPE_EVENTS_PROCESS_INLINE = False  # the worker's job, not the store's
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


def thread_nice(native_id: int) -> int:
    """The nice value Linux keeps for one thread (field 19 of /proc/self/task/<tid>/stat)."""
    stat = open(f"/proc/self/task/{native_id}/stat").read()  # noqa: PTH123, SIM115
    return int(stat[stat.rindex(")") + 2 :].split()[16])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("steps", [5, 10])
def test_the_worker_thread_runs_nicer_than_its_process_and_the_rest_of_it_does_not(steps):
    process_nice = os.getpriority(os.PRIO_PROCESS, 0)
    if process_nice + steps > 19:
        pytest.skip("the test process already runs at the lowest priority")
    worker = EventWorker(batch=10, poll_s=0.02, nice=steps)
    worker.start()
    try:
        lowered = wait_until(lambda: thread_nice(worker.native_id) == process_nice + steps)
        seen = thread_nice(worker.native_id)
        # It still takes events at its lower priority.
        payload = event_payload(event_id="evt_worker_nice", account="acct_nobody")
        stripe_event_store(payload=payload, data=json.loads(payload))
        finished = wait_until(
            lambda: StripeEvent.objects.filter(
                event_id="evt_worker_nice", status="ignored"
            ).exists()
        )
    finally:
        worker.stop()
    assert lowered, f"worker thread nice {seen}, expected {process_nice + steps}"
    assert finished
    assert thread_nice(threading.get_native_id()) == process_nice  # only that thread


@pytest.mark.django_db(transaction=True)
def test_a_worker_with_no_nice_steps_keeps_its_process_priority():
    worker = EventWorker(batch=10, poll_s=0.02, nice=0)
    worker.start()
    try:
        time.sleep(0.1)
        seen = thread_nice(worker.native_id) if sys.platform.startswith("linux") else None
    finally:
        worker.stop()
    if seen is not None:
        assert seen == os.getpriority(os.PRIO_PROCESS, 0)


def test_the_consumer_starts_its_workers_at_the_configured_nice(settings, monkeypatch):
    from firmpay.payments import event_worker

    settings.STRIPE_EVENTS_WORKERS, settings.STRIPE_EVENTS_NICE = 2, 7
    started = []
    monkeypatch.setattr(event_worker.EventWorker, "start", lambda self: started.append(self))
    monkeypatch.setattr(event_worker, "_workers", [])
    workers = event_worker.event_workers_start()
    assert [worker.nice for worker in workers] == [7, 7] and started == workers


@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_an_event_stored_without_a_notification_in_a_burst_is_still_taken_promptly(
    settings, listener, monkeypatch
):
    settings.STRIPE_EVENTS_PROCESS_INLINE = False
    settings.STRIPE_EVENTS_NOTIFY_MS = 2000  # the web side: one notification per 2 s
    monkeypatch.setattr(events, "_notified_at", -1e9)  # none sent in this window yet
    # The long wait is 60 s: only the tail after a notification can find the second event.
    worker = EventWorker(batch=10, poll_s=0.02, notify_s=2.0, listen_s=60)
    worker.start()
    try:
        assert wait_until(lambda: worker._listener is not None)  # idle, listening
        store("evt_burst_first")
        assert wait_until(lambda: done("evt_burst_first"))
        stored_at = time.monotonic()
        store("evt_burst_second")  # within the window: no notification of its own
        assert wait_until(lambda: done("evt_burst_second"), timeout=30)
        waited = time.monotonic() - stored_at
    finally:
        worker.stop(timeout=70)
    assert notifications(listener) == 1  # the first event's only
    assert waited < 10  # within the tail's looks (every 2 s), not the 60 s LISTEN


def store(event_id: str) -> None:
    payload = event_payload(event_id=event_id, account="acct_nobody")
    stripe_event_store(payload=payload, data=json.loads(payload))


def done(event_id: str) -> bool:
    return StripeEvent.objects.filter(event_id=event_id, status="ignored").exists()
