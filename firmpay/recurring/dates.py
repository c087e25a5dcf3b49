"""When a schedule issues: its occurrence dates, and the firm-local issuing day.

Occurrence dates are computed from the start date and the rule each time (never by adding a
month to the previous date), so a 31st clamped to 28 February is back on 31 March.
"""

import calendar
import datetime
import zoneinfo
from functools import lru_cache

from firmpay.recurring.models import Frequency

# Invoices go out from this hour of the firm's day, as reminders do from their send hour.
ISSUE_HOUR = 7
MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}


def clamped(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _month_add(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


@lru_cache(maxsize=65536)
def occurrence_on_or_after(
    *,
    frequency: str,
    every_weeks: int,
    start_date: datetime.date,
    issue_day: int,
    day: datetime.date,
) -> datetime.date:
    """The first date of the rule anchored at `start_date` that is on or after `day`
    (and on or after the start date)."""
    day = max(day, start_date)
    if frequency == Frequency.WEEKLY:
        period = 7 * every_weeks
        periods = -(-(day - start_date).days // period)
        return start_date + datetime.timedelta(days=period * periods)
    step = MONTHS[frequency]
    first = clamped(start_date.year, start_date.month, issue_day)
    if first < start_date:
        first = clamped(*_month_add(start_date.year, start_date.month, step), issue_day)
    months = (day.year - first.year) * 12 + day.month - first.month
    n = max(0, months // step - 1)
    while True:
        candidate = clamped(*_month_add(first.year, first.month, n * step), issue_day)
        if candidate >= day:
            return candidate
        n += 1


@lru_cache(maxsize=1024)
def firm_zone(name: str) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def issuing_day(now: datetime.datetime, *, zone_name: str) -> datetime.date:
    """The firm-local day whose invoices go out at `now`: today from ISSUE_HOUR on,
    yesterday before it. The wall clock decides, so daylight saving needs nothing else."""
    local = now.astimezone(firm_zone(zone_name))
    if local.hour >= ISSUE_HOUR:
        return local.date()
    return local.date() - datetime.timedelta(days=1)


def firm_local_today(firm, now: datetime.datetime) -> datetime.date:
    return now.astimezone(firm_zone(firm.timezone)).date()
