"""Huey tasks: thin kicks. Durable state lives in ReminderSend rows."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from firmpay.clients.models import Client
from firmpay.reminders.emails import optout_notice_send
from firmpay.reminders.outbox import (
    reminder_outbox_drain,
    reminder_outbox_due_ids,
    reminder_outbox_give_up_stale,
    reminder_send_deliver,
)


@db_task()
def reminder_send_deliver_task(send_id: int):
    return reminder_send_deliver(send_id=send_id)


@db_task()
def reminder_outbox_drain_task():
    return reminder_outbox_drain()


@db_periodic_task(crontab(minute="5"))
def reminders_sweep_task():
    """Hourly: record the reminders due now, then deliver them."""
    from firmpay.reminders.services import reminders_sweep

    return reminders_sweep().recorded


@db_periodic_task(crontab(minute="*/10"))
def reminder_outbox_sweep_task():
    """Every 10 minutes: rows whose kick was lost, whose retry is due, or whose worker died."""
    reminder_outbox_give_up_stale()
    if reminder_outbox_due_ids(limit=1):
        return reminder_outbox_drain()
    return {}


@db_task(retries=3, retry_delay=60)
def reminder_optout_notice_task(client_id: int):
    client = Client.objects.select_related("firm").filter(pk=client_id).first()
    if client is not None:
        optout_notice_send(client=client)
