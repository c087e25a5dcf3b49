"""One business day, for the inbox's Overdue mark: only Monday–Friday time counts (UTC;
support works one calendar, whatever the firm's timezone)."""

from __future__ import annotations

from datetime import datetime, timedelta

ONE_DAY = timedelta(days=1)
SATURDAY = 5


def _is_weekend(moment: datetime) -> bool:
    return moment.weekday() >= SATURDAY


def overdue_threshold(now: datetime) -> datetime:
    """The latest moment a firm message can have arrived and already waited one business
    day by `now`: waiting since this moment or earlier is overdue."""
    end = now
    if _is_weekend(end):  # no business time passes at the weekend: count from Friday's end
        end = (end - timedelta(days=end.weekday() - SATURDAY)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
    start = end - ONE_DAY
    if _is_weekend(start):  # the day crossed a weekend, which does not count
        start -= 2 * ONE_DAY
    return start


def is_overdue(waiting_since: datetime | None, *, now: datetime) -> bool:
    return waiting_since is not None and waiting_since <= overdue_threshold(now)
