"""Reads for recurring schedules, always scoped by the firm."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from firmpay.recurring.models import Schedule, ScheduleIssue


def schedule_list(*, firm) -> QuerySet[Schedule]:
    return Schedule.objects.filter(firm=firm).select_related("client").order_by("-id")


def schedule_get(*, firm, schedule_id) -> Schedule:
    """The firm's schedule, or 404: another firm's schedule does not exist here."""
    return get_object_or_404(
        Schedule.objects.select_related("client", "firm"), firm=firm, pk=schedule_id
    )


def schedule_issues(*, schedule: Schedule) -> QuerySet[ScheduleIssue]:
    return (
        ScheduleIssue.objects.filter(firm_id=schedule.firm_id, schedule=schedule)
        .select_related("invoice")
        .order_by("-occurrence")
    )
