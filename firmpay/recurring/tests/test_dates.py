"""Occurrence dates: frequencies, the issue day, month-end clamping."""

import datetime

import pytest

from firmpay.recurring.dates import issuing_day, occurrence_on_or_after
from firmpay.recurring.tests.helpers import at

D = datetime.date


def nth_dates(frequency, start, issue_day=1, every_weeks=1, count=5):
    dates, day = [], start
    for _ in range(count):
        found = occurrence_on_or_after(
            frequency=frequency,
            every_weeks=every_weeks,
            start_date=start,
            issue_day=issue_day,
            day=day,
        )
        dates.append(found)
        day = found + datetime.timedelta(days=1)
    return dates


def test_monthly_on_the_31st_clamps_in_short_months_and_comes_back():
    assert nth_dates("monthly", D(2027, 1, 31), issue_day=31) == [
        D(2027, 1, 31),
        D(2027, 2, 28),
        D(2027, 3, 31),
        D(2027, 4, 30),
        D(2027, 5, 31),
    ]


def test_monthly_on_the_29th_lands_on_29_february_in_a_leap_year():
    assert nth_dates("monthly", D(2028, 1, 29), issue_day=30, count=3) == [
        D(2028, 1, 30),
        D(2028, 2, 29),
        D(2028, 3, 30),
    ]


def test_an_issue_day_before_the_start_day_starts_the_next_month():
    assert nth_dates("monthly", D(2026, 5, 20), issue_day=1, count=2) == [
        D(2026, 6, 1),
        D(2026, 7, 1),
    ]


def test_quarterly_and_yearly():
    assert nth_dates("quarterly", D(2026, 1, 15), issue_day=15, count=3) == [
        D(2026, 1, 15),
        D(2026, 4, 15),
        D(2026, 7, 15),
    ]
    assert nth_dates("yearly", D(2028, 2, 29), issue_day=29, count=3) == [
        D(2028, 2, 29),
        D(2029, 2, 28),
        D(2030, 2, 28),
    ]


def test_every_two_weeks_from_the_start_date():
    assert nth_dates("weekly", D(2026, 3, 2), every_weeks=2, count=3) == [
        D(2026, 3, 2),
        D(2026, 3, 16),
        D(2026, 3, 30),
    ]


@pytest.mark.parametrize(
    ("moment", "zone", "day"),
    [
        (at("America/New_York", 2026, 3, 8, 6, 59), "America/New_York", D(2026, 3, 7)),
        (at("America/New_York", 2026, 3, 8, 7, 0), "America/New_York", D(2026, 3, 8)),
        (at("Pacific/Auckland", 2026, 4, 5, 7, 30), "Pacific/Auckland", D(2026, 4, 5)),
        (at("Europe/London", 2026, 10, 25, 7, 3), "Europe/London", D(2026, 10, 25)),
    ],
)
def test_the_issuing_day_follows_the_firms_wall_clock(moment, zone, day):
    assert issuing_day(moment, zone_name=zone) == day
