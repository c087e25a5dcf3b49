"""The sweep issues at the firm's local date (from 07:00 on its wall clock), across
daylight-saving changes, in New York, London and Auckland."""

import datetime

import pytest

from firmpay.recurring.models import ScheduleIssue
from firmpay.recurring.tests.helpers import UTC, at, firm_in, schedule_build

pytestmark = pytest.mark.django_db


def first_issue_moment(clock, schedule, start, hours):
    """Sweep at hh:03 UTC every hour from `start`; the moment of the sweep that issued."""
    moment = start.astimezone(UTC).replace(minute=3, second=0, microsecond=0)
    for _ in range(hours):
        clock.sweep(moment)
        if ScheduleIssue.objects.filter(schedule=schedule).exists():
            return moment
        moment += datetime.timedelta(hours=1)
    return None


@pytest.mark.parametrize(
    ("zone", "day", "expected_local_hour"),
    [
        # Spring forward at 02:00 on 8 March 2026: 07:00 EDT is 11:00 UTC.
        ("America/New_York", datetime.date(2026, 3, 8), 7),
        # Clocks go back at 02:00 BST on 25 October 2026: 07:00 GMT is 07:00 UTC.
        ("Europe/London", datetime.date(2026, 10, 25), 7),
        # Auckland leaves daylight time on 5 April 2026 and is ahead of UTC's date.
        ("Pacific/Auckland", datetime.date(2026, 4, 5), 7),
        ("Pacific/Auckland", datetime.date(2026, 9, 27), 7),
    ],
)
def test_issued_at_seven_on_the_firms_own_date(clock, zone, day, expected_local_hour):
    firm = firm_in(zone)
    created = at(zone, day.year, day.month, day.day, 0, 30) - datetime.timedelta(days=1)
    schedule = schedule_build(firm=firm, created_at=created, start_date=day, issue_day=day.day)

    moment = first_issue_moment(clock, schedule, created, hours=60)

    local = moment.astimezone(at(zone, 2026, 1, 1).tzinfo)
    assert (local.date(), local.hour) == (day, expected_local_hour)
    assert ScheduleIssue.objects.get(schedule=schedule).invoice.issue_date == day


def test_auckland_issues_while_it_is_still_the_day_before_in_utc(clock):
    firm = firm_in("Pacific/Auckland")
    schedule = schedule_build(
        firm=firm, created_at=at("Pacific/Auckland", 2026, 6, 1, 12), issue_day=1
    )
    schedule.refresh_from_db()
    next_day = schedule.next_issue_on  # 1 June was today at creation: issued at once
    assert next_day == datetime.date(2026, 6, 1)
    # 07:03 on 1 July in Auckland is 19:03 on 30 June in UTC.
    assert clock.sweep(datetime.datetime(2026, 6, 30, 18, 3, tzinfo=UTC)).issued == 1  # June
    assert clock.sweep(datetime.datetime(2026, 6, 30, 19, 3, tzinfo=UTC)).issued == 1  # July
    dates = ScheduleIssue.objects.filter(schedule=schedule).values_list("issue_date", flat=True)
    assert sorted(dates) == [datetime.date(2026, 6, 1), datetime.date(2026, 7, 1)]
