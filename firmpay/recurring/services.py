"""Writes for recurring schedules: create, edit future issues, pause, resume, end.

Every change is made with the schedule row locked (the sweep locks it too), so an edit and
an issue never interleave: an edit applies from the next issue, and invoices already issued
are never touched.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from firmpay.core.audit import audit_record_create
from firmpay.invoices.totals import LineInput
from firmpay.recurring.dates import firm_local_today, occurrence_on_or_after
from firmpay.recurring.exceptions import ScheduleInvalid, ScheduleStateError
from firmpay.recurring.models import (
    Autopay,
    Frequency,
    Schedule,
    ScheduleLine,
    ScheduleStatus,
)


@dataclass(frozen=True, slots=True)
class ScheduleTerms:
    """Everything the firm sets on a schedule, as the form or a caller gives it."""

    client: object
    currency: str
    frequency: str
    start_date: datetime.date
    lines: Sequence[LineInput]
    every_weeks: int = 1
    issue_day: int = 1
    end_after_issues: int | None = None
    end_on: datetime.date | None = None
    payment_terms_days: int | None = None
    notes: str = ""
    autopay: str = Autopay.NO


def _check(*, firm, terms: ScheduleTerms) -> None:
    if terms.client.firm_id != firm.pk:
        raise ValueError("the client belongs to another firm")
    if terms.frequency not in Frequency.values:
        raise ScheduleInvalid("Choose how often to issue.", field="frequency")
    if terms.autopay not in Autopay.values:
        raise ScheduleInvalid("Choose when to collect automatically.", field="autopay")
    if not 1 <= terms.issue_day <= 31:
        raise ScheduleInvalid("The issue day is from 1 to 31.", field="issue_day")
    if not 1 <= terms.every_weeks <= 52:
        raise ScheduleInvalid("Every 1 to 52 weeks.", field="every_weeks")
    if terms.end_after_issues is not None and terms.end_after_issues < 1:
        raise ScheduleInvalid("End after at least one invoice.", field="end_after_issues")
    if terms.end_on is not None and terms.end_on < terms.start_date:
        raise ScheduleInvalid("The end date cannot be before the start date.", field="end_on")
    if not terms.lines:
        raise ScheduleInvalid("A schedule needs at least one line.")


def _apply(schedule: Schedule, terms: ScheduleTerms) -> None:
    for name in (
        "client",
        "currency",
        "frequency",
        "start_date",
        "every_weeks",
        "issue_day",
        "end_after_issues",
        "end_on",
        "payment_terms_days",
        "autopay",
    ):
        setattr(schedule, name, getattr(terms, name))
    schedule.notes = terms.notes.strip()


def _lines_replace(schedule: Schedule, lines: Sequence[LineInput]) -> None:
    schedule.lines.all().delete()
    ScheduleLine.objects.bulk_create(
        ScheduleLine(
            schedule=schedule,
            position=position,
            description=line.description.strip(),
            quantity=line.quantity,
            unit_amount=line.unit_amount,
            tax_rate=line.tax_rate,
        )
        for position, line in enumerate(lines)
    )


def schedule_next_date(schedule: Schedule, *, after: datetime.date) -> datetime.date | None:
    """The schedule's first issue date on or after `after`, or None when its end
    condition (N issues, an end date) has been reached."""
    if schedule.end_after_issues is not None and schedule.issued_count >= schedule.end_after_issues:
        return None
    day = occurrence_on_or_after(
        frequency=schedule.frequency,
        every_weeks=schedule.every_weeks,
        start_date=schedule.start_date,
        issue_day=schedule.issue_day,
        day=after,
    )
    if schedule.end_on is not None and day > schedule.end_on:
        return None
    return day


def _reschedule(schedule: Schedule, *, today: datetime.date) -> None:
    """Next issue from today on (never an issue date already issued); ends the schedule
    when nothing is left."""
    after = today
    if schedule.last_issued_on is not None:
        after = max(after, schedule.last_issued_on + datetime.timedelta(days=1))
    schedule.next_issue_on = schedule_next_date(schedule, after=after)
    if schedule.next_issue_on is None:
        schedule.status = ScheduleStatus.ENDED


def schedule_create(*, firm, terms: ScheduleTerms, created_by=None, request=None) -> Schedule:
    _check(firm=firm, terms=terms)
    with transaction.atomic():
        schedule = Schedule(firm=firm, created_by=created_by)
        _apply(schedule, terms)
        _reschedule(schedule, today=firm_local_today(firm, timezone.now()))
        schedule.save()
        _lines_replace(schedule, terms.lines)
        _audit("recurring.create", schedule, actor=created_by, request=request)
    return schedule


def _lock(schedule: Schedule) -> Schedule:
    schedule.refresh_from_db(from_queryset=Schedule.objects.select_for_update())
    return schedule


def schedule_update(*, schedule: Schedule, terms: ScheduleTerms, updated_by=None, request=None):
    """New terms for the issues still to come; invoices already issued stay as they are."""
    _check(firm=schedule.firm, terms=terms)
    with transaction.atomic():
        _lock(schedule)
        if schedule.status == ScheduleStatus.ENDED:
            raise ScheduleStateError("This schedule has ended and can no longer be edited.")
        _apply(schedule, terms)
        if schedule.status == ScheduleStatus.ACTIVE:
            _reschedule(schedule, today=firm_local_today(schedule.firm, timezone.now()))
        schedule.save()
        _lines_replace(schedule, terms.lines)
        _audit("recurring.update", schedule, actor=updated_by, request=request)
    return schedule


def schedule_pause(*, schedule: Schedule, paused_by=None, request=None) -> Schedule:
    with transaction.atomic():
        _lock(schedule)
        if schedule.status != ScheduleStatus.ACTIVE:
            raise ScheduleStateError("Only an active schedule can be paused.")
        schedule.status = ScheduleStatus.PAUSED
        schedule.save(update_fields=["status", "updated_at"])
        _audit("recurring.pause", schedule, actor=paused_by, request=request)
    return schedule


def schedule_resume(*, schedule: Schedule, resumed_by=None, request=None) -> Schedule:
    """Active again from the next issue date on or after today: issues missed while paused
    are not issued late."""
    with transaction.atomic():
        _lock(schedule)
        if schedule.status != ScheduleStatus.PAUSED:
            raise ScheduleStateError("Only a paused schedule can be resumed.")
        schedule.status = ScheduleStatus.ACTIVE
        _reschedule(schedule, today=firm_local_today(schedule.firm, timezone.now()))
        schedule.save(update_fields=["status", "next_issue_on", "updated_at"])
        _audit("recurring.resume", schedule, actor=resumed_by, request=request)
    return schedule


def schedule_end(*, schedule: Schedule, ended_by=None, request=None) -> Schedule:
    with transaction.atomic():
        _lock(schedule)
        if schedule.status == ScheduleStatus.ENDED:
            return schedule
        schedule.status = ScheduleStatus.ENDED
        schedule.next_issue_on = None
        schedule.save(update_fields=["status", "next_issue_on", "updated_at"])
        _audit("recurring.end", schedule, actor=ended_by, request=request)
    return schedule


def _audit(action: str, schedule: Schedule, *, actor, request) -> None:
    audit_record_create(
        action=action,
        firm=schedule.firm,
        actor=actor,
        target=schedule,
        detail={"client_id": schedule.client_id, "status": schedule.status},
        request=request,
    )
