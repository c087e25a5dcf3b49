"""Builders and a controlled clock for recurring tests."""

import datetime
import zoneinfo

import time_machine

from firmpay.clients.tests.builders import client_build, firm_build
from firmpay.invoices.tests.builders import line
from firmpay.recurring.models import Frequency
from firmpay.recurring.services import ScheduleTerms, schedule_create
from firmpay.recurring.sweep import recurring_sweep

UTC = datetime.UTC


def at(zone: str, *args) -> datetime.datetime:
    """An aware datetime on a firm's wall clock: at("Pacific/Auckland", 2026, 3, 5, 9)."""
    return datetime.datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone))


def firm_in(zone: str = "UTC", **fields):
    return firm_build(timezone=zone, **fields)


def schedule_build(*, firm, created_at: datetime.datetime, client=None, **terms):
    """A schedule made at `created_at` (its next date counts from that day on)."""
    client = client or client_build(firm=firm)
    values = {
        "client": client,
        "currency": client.currency,
        "frequency": Frequency.MONTHLY,
        "start_date": created_at.date(),
        "issue_day": created_at.day,
        "lines": [line(description="Monthly retainer", unit_amount=50000)],
    } | terms
    with time_machine.travel(created_at, tick=False):
        return schedule_create(firm=firm, terms=ScheduleTerms(**values))


class Clock:
    """Runs the hourly sweep under time-machine, running what it defers to the commit."""

    def __init__(self, capture):
        self.capture = capture

    def sweep(self, moment: datetime.datetime):
        with time_machine.travel(moment, tick=False):
            with self.capture(execute=True):
                return recurring_sweep()

    def sweep_daily(self, start: datetime.datetime, days: int, *, hour: int = 12) -> int:
        issued = 0
        for n in range(days):
            moment = (start + datetime.timedelta(days=n)).replace(hour=hour, minute=3)
            issued += self.sweep(moment).issued
        return issued
