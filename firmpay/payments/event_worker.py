"""The Stripe event worker: a thread in every Huey consumer (`manage.py run_huey`) that
claims due StripeEvent rows in batches and processes them. No queue entry per event.

Woken promptly: on PostgreSQL by LISTEN on the channel the webhook's INSERT notifies
(with a 1 s timeout, for retries coming due and leases running out); on SQLite by a poll
every STRIPE_EVENTS_POLL_MS of the indexed due column (a read: no write lock). While
rows are due it claims batch after batch without waiting. The minute sweeper stays the
safety net for rows a dead worker leased.

A web process notifies at most once per STRIPE_EVENTS_NOTIFY_MS (the first event of a
burst at once; `services/events.py:_notify_due`), so the rows it stores in the rest of
that window come without a notification. Hence the tail: after a notification or a claim
that found rows, the worker looks again every STRIPE_EVENTS_NOTIFY_MS (a short LISTEN,
then a claim) until 4 windows have passed without either, and only then waits the long
LISTEN: every such row was stored within a window of a notification the worker saw.

On Linux the thread runs STRIPE_EVENTS_NICE steps nicer than its process (a per-thread
nice value; the lease keeper threads it starts inherit it): during a burst the webhook's
web processes, which must store and answer, win the CPU over processing, which only has
to keep up on average (the rows wait durably meanwhile). Huey's own threads are untouched.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

from django.conf import settings
from django.db import connection, connections

from firmpay.payments.services.event_rows import events_any_due
from firmpay.payments.services.events import NOTIFY_CHANNEL, stripe_events_process_batch

logger = logging.getLogger("firmpay.payments.event_worker")

LISTEN_TIMEOUT = 1.0
ERROR_PAUSE = 1.0
# PostgreSQL: how many notification windows (STRIPE_EVENTS_NOTIFY_MS) the worker keeps
# looking after its last sign of work, before the long LISTEN.
TAIL_WINDOWS = 4


def thread_nice_lower(steps: int) -> int | None:
    """Make the calling thread `steps` nicer (Linux: nice is per thread, and
    setpriority(PRIO_PROCESS, thread id) sets that thread's alone), capped at 19.
    Returns the thread's new nice value, or None when nothing was changed (0 steps,
    or not Linux: elsewhere the call would renice the whole process)."""
    if steps <= 0 or not sys.platform.startswith("linux"):
        return None
    tid = threading.get_native_id()
    nice = min(os.getpriority(os.PRIO_PROCESS, tid) + steps, 19)
    try:
        os.setpriority(os.PRIO_PROCESS, tid, nice)
    except OSError:  # a sandbox that forbids it: run at the process's priority
        logger.warning("stripe event worker: could not lower its priority", exc_info=True)
        return None
    return nice


class EventWorker(threading.Thread):
    def __init__(
        self,
        *,
        batch: int,
        poll_s: float,
        nice: int = 0,
        notify_s: float = 0.025,
        listen_s: float = LISTEN_TIMEOUT,
        name: str = "stripe-events",
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.batch, self.poll_s, self.nice = batch, poll_s, nice
        self.notify_s, self.listen_s = notify_s, listen_s
        self.stopping = threading.Event()
        self._listener = None
        self._busy_at = -1e9  # monotonic time of the last notification or non-empty claim

    def stop(self, timeout: float = 10) -> None:
        self.stopping.set()
        self.join(timeout)

    def run(self) -> None:
        thread_nice_lower(self.nice)
        try:
            while not self.stopping.is_set():
                try:
                    claimed = stripe_events_process_batch(limit=self.batch)
                    if claimed:
                        self._busy_at = time.monotonic()
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
        """Wait for a notification: a short wait while in the tail of recent work (rows
        stored without a notification of their own may be due), else the long one."""
        if self._listener is None:
            wrapper = connections.create_connection("default")
            wrapper.ensure_connection()
            wrapper.connection.autocommit = True
            wrapper.connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
            self._listener = wrapper
        raw = self._listener.connection
        in_tail = time.monotonic() - self._busy_at < TAIL_WINDOWS * self.notify_s
        timeout = min(self.notify_s, self.listen_s) if in_tail else self.listen_s
        notified = False
        for _ in raw.notifies(timeout=timeout, stop_after=1):
            notified = True
        for _ in raw.notifies(timeout=0):  # the burst's other notifications: one claim
            notified = True
        if notified:
            self._busy_at = time.monotonic()

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
                    nice=settings.STRIPE_EVENTS_NICE,
                    notify_s=settings.STRIPE_EVENTS_NOTIFY_MS / 1000,
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
