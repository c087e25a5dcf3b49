"""Huey tasks for autopay: thin kicks; durable state lives in InvoiceAutopay and
AutopayAttempt rows (a killed worker loses nothing: the sweep picks the row up again)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from firmpay.payments.autopay.charges import autopay_sweep
from firmpay.payments.autopay.health import autopay_expiring_cards_sweep


@db_periodic_task(crontab(minute="*"))
def autopay_sweep_task():
    """Every minute: charge invoices whose collection time has come; re-drive attempts a
    dead worker left started (same idempotency key)."""
    autopay_sweep()


@db_periodic_task(crontab(hour="6", minute="23"))
def autopay_expiring_cards_task():
    """Daily: ask clients whose saved card expires within a month for a new one."""
    autopay_expiring_cards_sweep()
