"""Huey tasks and the consumer's event worker. Durable state lives in StripeEvent rows.

Stripe events have no task per event: every consumer starts the event worker threads
(`event_worker.py`) that claim stored rows in batches; the sweeper below is the safety net.
Tasks return None on purpose: Huey stores any other return value in its result store,
one more write for nobody to read.
"""

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from firmpay.payments.event_worker import event_workers_start, event_workers_stop
from firmpay.payments.services import (
    stripe_event_process,
    stripe_events_purge,
    stripe_events_reconcile,
    stripe_events_sweep,
)


@HUEY.on_startup("stripe_event_workers")
def _start_event_workers():
    event_workers_start()


@HUEY.on_shutdown("stripe_event_workers")
def _stop_event_workers():
    event_workers_stop()


@db_task()
def stripe_event_process_task(event_id: str):
    """Kept for queue entries enqueued by the previous release; nothing enqueues it now."""
    stripe_event_process(event_id=event_id)


@db_periodic_task(crontab(minute="*"))
def stripe_events_sweep_task():
    """Every minute: process events due for more than 30 s (a dead worker's leased rows
    once the lease ends, retries nobody took, everything when no event worker runs)."""
    stripe_events_sweep()


@db_periodic_task(crontab(minute="17"))
def stripe_events_reconcile_task():
    """Hourly: refresh every connected account and pull events Stripe failed to deliver."""
    stripe_events_reconcile()


@db_periodic_task(crontab(hour="3", minute="41"))
def stripe_events_purge_task():
    """Daily: forget processed and ignored events older than 90 days."""
    stripe_events_purge()


# Online payments (issue 5): registered here so the consumer knows it.
from firmpay.payments.autopay.tasks import (  # noqa: E402,F401
    autopay_expiring_cards_task,
    autopay_sweep_task,
)
from firmpay.payments.online.tasks import payment_notice_send_task  # noqa: E402,F401
