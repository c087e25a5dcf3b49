"""Huey tasks: thin kicks. Durable state lives in StripeEvent rows.

They return None on purpose: Huey stores any other return value in its result store,
one more write per event for nobody to read.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from firmpay.payments.services import (
    stripe_event_process,
    stripe_events_purge,
    stripe_events_reconcile,
    stripe_events_sweep,
)


@db_task()
def stripe_event_process_task(event_id: str):
    stripe_event_process(event_id=event_id)


@db_periodic_task(crontab(minute="*"))
def stripe_events_sweep_task():
    """Every minute: re-kick received/failed events that are due or whose worker died."""
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
from firmpay.payments.online.tasks import payment_notice_send_task  # noqa: E402,F401
