"""Huey kicks for payouts. Durable state lives in the Payout rows."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from firmpay.payouts.services import payout_itemize, payouts_reconcile


@db_task()
def payout_itemize_task(payout_id: int):
    payout_itemize(payout_id=payout_id)


@db_periodic_task(crontab(minute="*/10"))
def payouts_reconcile_task():
    """Every 10 minutes: itemise payouts still missing their contents, link late items."""
    payouts_reconcile()
