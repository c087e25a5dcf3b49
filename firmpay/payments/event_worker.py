"""The Stripe event worker: a thread in every Huey consumer (`manage.py run_huey`) that
claims due StripeEvent rows in batches and processes them. No queue entry per event.

Woken promptly: on PostgreSQL by LISTEN on the channel the webhook's INSERT notifies
(with a 1 s timeout, for retries coming due and leases running out); on SQLite by a poll
every STRIPE_EVENTS_POLL_MS of the indexed due column (a read: no write lock). While
rows are due it claims batch after batch without waiting. The minute sweeper stays the
safety net for rows a dead worker leased.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connection, connections

from firmpay.payments.services.event_rows import events_any_due
from firmpay.payments.services.events import NOTIFY_CHANNEL, stripe_events_process_batch

logger = logging.getLogger("firmpay.payments.event_worker")

LISTEN_TIMEOUT = 1.0
ERROR_PAUSE = 1.0


class EventWorker(threading.Thread):
    def __init__(self, *, batch: int, poll_s: float, name: str = "stripe-events") -> None:
        super().__init__(name=name, daemon=True)
        self.batch, self.poll_s = batch, poll_s
        self.stopping = threading.Event()
        self._listener = None

    def stop(self, timeout: float = 10) -> None:
        self.stopping.set()
        self.join(timeout)

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    claimed = stripe_events_process_batch(limit=self.batch)
                    if claimed < self.batch:
                        self._wait()
                except Exception:  # noqa: BLE001 - the database went away: retry shortly
                    logger.exception("stripe event worker: batch failed; retrying")
                    self._close()
                    self.stopping.wait(ERROR_PAUSE)
        finally:
            self._close()

    def _wait(self) -> None:
        """Until something is due (or a stop): NOTIFY on PostgreSQL, a poll on SQLite."""
        if connection.vendor == "postgresql":
            self._listen_once()
            return
        while not self.stopping.wait(self.poll_s):
            if events_any_due():
                return

    def _listen_once(self) -> None:
        if self._listener is None:
            wrapper = connections.create_connection("default")
            wrapper.ensure_connection()
            wrapper.connection.autocommit = True
            wrapper.connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
            self._listener = wrapper
        raw = self._listener.connection
        for _ in raw.notifies(timeout=LISTEN_TIMEOUT, stop_after=1):
            break
        for _ in raw.notifies(timeout=0):  # the burst's other notifications: one claim
            pass

    def _close(self) -> None:
        if self._listener is not None:
            try:
                self._listener.close()
            except Exception:  # noqa: BLE001, S110 - it is being dropped anyway
                pass
            self._listener = None
        connection.close()


_workers: list[EventWorker] = []
_lock = threading.Lock()


def event_workers_start() -> list[EventWorker]:
    """Start STRIPE_EVENTS_WORKERS threads once per process (Huey calls its startup hook
    once per consumer worker thread)."""
    with _lock:
        if not _workers:
            for number in range(settings.STRIPE_EVENTS_WORKERS):
                worker = EventWorker(
                    batch=settings.STRIPE_EVENTS_BATCH,
                    poll_s=settings.STRIPE_EVENTS_POLL_MS / 1000,
                    name=f"stripe-events-{number}",
                )
                worker.start()
                _workers.append(worker)
        return list(_workers)


def event_workers_stop() -> None:
    """Let each finish its batch (a killed one leaves leased rows: taken again later)."""
    with _lock:
        for worker in _workers:
            worker.stop()
        _workers.clear()
