"""Huey tasks: thin kicks. The durable work is the SyncItem row."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from firmpay.accounting.services import sync_item_process, sync_items_sweep
from firmpay.accounting.services.tokens import connections_keep_alive


@db_task()
def sync_item_process_task(item_id: int) -> str:
    return sync_item_process(item_id=item_id)


@db_periodic_task(crontab(minute="*"))
def sync_items_sweep_task() -> int:
    """Every minute: rows whose kick was lost, whose retry is due, or whose worker died."""
    return sync_items_sweep()


@db_periodic_task(crontab(minute="17", hour="3"))
def connections_keep_alive_task() -> dict:
    """Daily: refresh connections idle for three weeks (Xero's refresh tokens expire after
    60 days unused)."""
    return connections_keep_alive()
