"""Builders and a controlled clock for reminder tests."""

import datetime
import zoneinfo

import time_machine
from django.core import mail

from firmpay.clients.tests.builders import client_build, firm_build
from firmpay.invoices.services import invoice_send
from firmpay.invoices.tests.builders import invoice_build
from firmpay.reminders.models import ReminderSend
from firmpay.reminders.services import reminders_sweep

UTC = datetime.UTC


def at(zone: str, *args) -> datetime.datetime:
    """An aware datetime on a firm's wall clock: at("Asia/Tokyo", 2026, 3, 5, 9)."""
    return datetime.datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone))


def firm_in(zone: str = "UTC", **fields):
    return firm_build(
        timezone=zone, email=f"office-{zone.replace('/', '-').lower()}@firm.test", **fields
    )


def open_invoice(*, firm, due_date: datetime.date, client=None, sent_days_before: int = 20):
    """An invoice sent (open) well before its reminders, due on `due_date`."""
    client = client or client_build(firm=firm)
    sent_at = datetime.datetime.combine(
        due_date - datetime.timedelta(days=sent_days_before), datetime.time(12), tzinfo=UTC
    )
    with time_machine.travel(sent_at, tick=False):
        invoice = invoice_build(
            firm=firm, client=client, issue_date=sent_at.date(), due_date=due_date
        )
        invoice_send(invoice=invoice)
    invoice.refresh_from_db()
    return invoice


class Clock:
    """Runs the hourly sweep (at minute 5, like the crontab) under time-machine, delivering
    what it records, as the worker would after the commit."""

    def __init__(self, capture):
        self.capture = capture

    def sweep(self, moment: datetime.datetime):
        with time_machine.travel(moment, tick=False):
            with self.capture(execute=True):
                return reminders_sweep()

    def sweep_hourly(self, start: datetime.datetime, end: datetime.datetime) -> list:
        """Sweep at hh:05 UTC every hour from `start` to `end`; returns (moment, rows) for
        every sweep that recorded something."""
        moment = start.astimezone(UTC).replace(minute=5, second=0, microsecond=0)
        recorded = []
        while moment <= end:
            before = set(ReminderSend.objects.values_list("id", flat=True))
            self.sweep(moment)
            new = list(ReminderSend.objects.exclude(id__in=before).order_by("id"))
            if new:
                recorded.append((moment, new))
            moment += datetime.timedelta(hours=1)
        return recorded


def reminder_emails() -> list:
    return [message for message in mail.outbox if "reminder" in message.body.lower()]
