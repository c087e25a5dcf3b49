"""Huey tasks: thin kicks. Durable state lives in StripeEvent rows."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from firmpay.payments.services import (
    stripe_event_process,
    stripe_events_reconcile,
    stripe_events_sweep,
)


@db_task()
def stripe_event_process_task(event_id: str):
    return stripe_event_process(event_id=event_id)


@db_periodic_task(crontab(minute="*"))
def stripe_events_sweep_task():
    """Every minute: re-kick received/failed events that are due or whose worker died."""
    return stripe_events_sweep()


@db_periodic_task(crontab(minute="17"))
def stripe_events_reconcile_task():
    """Hourly: refresh every connected account and pull events Stripe failed to deliver."""
    return stripe_events_reconcile()
