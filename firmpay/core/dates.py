"""One way to write a day a firm reads: "10 December 2026", in the firm's own timezone.

A Stripe deadline is an instant (often midnight UTC): written in UTC on one page and in
the firm's zone on another it read as two different days. Every page and message that
names a day of the firm's goes through `day_format`.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import dateformat, timezone

DAY_FORMAT = "j F Y"


def zone_of(firm) -> datetime.tzinfo:
    """The firm's timezone; UTC when none or an unknown name is stored."""
    try:
        return zoneinfo.ZoneInfo(getattr(firm, "timezone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def day_format(value: datetime.datetime | datetime.date | None, *, tz: datetime.tzinfo) -> str:
    """The day `value` falls on in `tz`; "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        value = value.astimezone(tz)
    return dateformat.format(value, DAY_FORMAT)
