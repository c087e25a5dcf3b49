"""Pause, resume, edit future issues, end."""

import datetime

import pytest
import time_machine

from firmpay.invoices.models import Invoice
from firmpay.invoices.tests.builders import line
from firmpay.recurring.exceptions import ScheduleInvalid, ScheduleStateError
from firmpay.recurring.models import ScheduleStatus
from firmpay.recurring.services import (
    ScheduleTerms,
    schedule_end,
    schedule_pause,
    schedule_resume,
    schedule_update,
)
from firmpay.recurring.tests.helpers import UTC, firm_in, schedule_build

pytestmark = pytest.mark.django_db

D = datetime.date
MAY_1 = datetime.datetime(2026, 5, 1, 12, tzinfo=UTC)


def terms_of(schedule, **changes) -> ScheduleTerms:
    values = {
        "client": schedule.client,
        "currency": schedule.currency,
        "frequency": schedule.frequency,
        "start_date": schedule.start_date,
        "issue_day": schedule.issue_day,
        "lines": [line(description="Monthly retainer", unit_amount=50000)],
    } | changes
    return ScheduleTerms(**values)


def test_a_paused_schedule_issues_nothing(clock):
    schedule = schedule_build(firm=firm_in(), created_at=MAY_1 - datetime.timedelta(days=1))
    schedule_pause(schedule=schedule)
    assert clock.sweep_daily(MAY_1, 40) == 0
    assert Invoice.objects.count() == 0


def test_resuming_skips_the_issues_missed_while_paused(clock):
    schedule = schedule_build(
        firm=firm_in(), created_at=MAY_1 - datetime.timedelta(days=1), issue_day=1
    )
    schedule_pause(schedule=schedule)
    clock.sweep_daily(MAY_1, 40)
    with time_machine.travel(datetime.datetime(2026, 6, 10, 12, tzinfo=UTC), tick=False):
        schedule_resume(schedule=schedule)
    assert schedule.next_issue_on == D(2026, 7, 1)
    assert clock.sweep_daily(datetime.datetime(2026, 6, 10, tzinfo=UTC), 25) == 1


def test_an_edit_changes_the_next_invoice_and_leaves_issued_ones_alone(clock):
    schedule = schedule_build(firm=firm_in(), created_at=MAY_1)
    clock.sweep(MAY_1)
    first = Invoice.objects.get()
    with time_machine.travel(MAY_1 + datetime.timedelta(days=3), tick=False):
        schedule_update(
            schedule=schedule,
            terms=terms_of(schedule, issue_day=15, lines=[line("Bigger retainer", "1", 80000)]),
        )
    assert schedule.next_issue_on == D(2026, 5, 15)
    clock.sweep_daily(MAY_1 + datetime.timedelta(days=3), 14)

    first.refresh_from_db()
    assert (first.total, first.lines.get().description) == (50000, "Monthly retainer")
    second = Invoice.objects.exclude(pk=first.pk).get()
    assert (second.issue_date, second.total) == (D(2026, 5, 15), 80000)
    assert second.lines.get().description == "Bigger retainer"


def test_an_ended_schedule_issues_nothing_and_cannot_be_edited(clock):
    schedule = schedule_build(firm=firm_in(), created_at=MAY_1 - datetime.timedelta(days=1))
    schedule_end(schedule=schedule)
    assert (schedule.status, schedule.next_issue_on) == (ScheduleStatus.ENDED, None)
    assert clock.sweep_daily(MAY_1, 5) == 0
    with pytest.raises(ScheduleStateError):
        schedule_update(schedule=schedule, terms=terms_of(schedule))
    with pytest.raises(ScheduleStateError):
        schedule_resume(schedule=schedule)


def test_an_end_date_before_the_start_is_refused():
    schedule = schedule_build(firm=firm_in(), created_at=MAY_1)
    with pytest.raises(ScheduleInvalid) as refused:
        schedule_update(schedule=schedule, terms=terms_of(schedule, end_on=D(2026, 4, 1)))
    assert refused.value.field == "end_on"


def test_a_client_of_another_firm_is_refused():
    schedule = schedule_build(firm=firm_in(), created_at=MAY_1)
    stranger = schedule_build(firm=firm_in(), created_at=MAY_1).client
    with pytest.raises(ValueError):
        schedule_update(schedule=schedule, terms=terms_of(schedule, client=stranger))
