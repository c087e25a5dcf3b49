"""Huey tasks: thin. The schedule rows hold the state."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="3"))
def recurring_sweep_task():
    """Hourly: issue the invoices whose day has come in their firm's calendar."""
    from firmpay.recurring.sweep import recurring_sweep

    return recurring_sweep().issued
