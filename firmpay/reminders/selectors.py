"""Reads for reminders, scoped by the firm."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from firmpay.invoices.models import Invoice
from firmpay.reminders.eligibility import remindable_q
from firmpay.reminders.models import (
    InvoiceReminderState,
    ReminderPolicy,
    ReminderSend,
    ReminderStep,
    SendStatus,
)
from firmpay.reminders.schedule import (
    DEFAULT_STEPS,
    Schedule,
    StepText,
    default_step_text,
    reminder_day,
    send_moment,
    step_label,
)

# An invoice emailed this recently is not reminded: the client has just received it.
FRESH_INVOICE = datetime.timedelta(hours=24)
UPCOMING_LIMIT = 500


def reminder_policy_get(*, firm) -> ReminderPolicy | None:
    return ReminderPolicy.objects.filter(firm=firm).first()


def reminder_step_texts(*, firm) -> list[StepText]:
    """The firm's steps in order, or the default steps."""
    rows = ReminderStep.objects.filter(policy__firm=firm).order_by("offset_days")
    texts = [StepText(row.offset_days, row.subject, row.body) for row in rows]
    if texts or ReminderPolicy.objects.filter(firm=firm).exists():
        return texts
    return list(DEFAULT_STEPS)


def firm_schedule(*, firm) -> Schedule:
    policy = reminder_policy_get(firm=firm)
    if policy is None:
        return Schedule()
    offsets = tuple(policy.steps.values_list("offset_days", flat=True))
    return Schedule(
        enabled=policy.enabled,
        send_hour=policy.send_hour,
        offsets=offsets,
        repeat_every_days=policy.repeat_every_days,
        max_repeats=policy.max_repeats,
    )


def step_text_for(texts: list[StepText], offset: int) -> StepText:
    """The text for a reminder `offset` days from the due date: the step with that offset,
    else the latest earlier step on the same side of the due date (repeats reuse the last
    overdue step), else the firm's first step on that side, else our default wording."""

    def side(days: int) -> int:
        return (days > 0) - (days < 0)

    same_side = [text for text in texts if side(text.offset_days) == side(offset)]
    if not same_side:
        return default_step_text(offset)
    earlier = [text for text in same_side if text.offset_days <= offset]
    return earlier[-1] if earlier else same_side[0]


def invoice_reminder_state(*, firm, invoice) -> InvoiceReminderState | None:
    return InvoiceReminderState.objects.filter(firm=firm, invoice=invoice).first()


def invoice_reminder_history(*, firm, invoice) -> list[ReminderSend]:
    return list(
        ReminderSend.objects.filter(firm=firm, invoice=invoice)
        .select_related("requested_by")
        .order_by("-created_at", "-id")
    )


def reminders_recent(*, firm, limit: int = 20) -> list[ReminderSend]:
    """Reminders that went out, latest first (not the skipped, failed or waiting ones)."""
    return list(
        ReminderSend.objects.filter(firm=firm, status=SendStatus.SENT)
        .select_related("invoice__client")
        .order_by("-sent_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class UpcomingReminder:
    moment: datetime.datetime  # in the firm's timezone
    invoice: Invoice
    step: int
    due_now: bool = False  # its time has come; the next hourly sweep sends it

    @property
    def label(self) -> str:
        return step_label(self.step)


def _remindable(*, firm):
    return (
        Invoice.objects.filter(remindable_q(), firm=firm, client__reminders_opt_out=False)
        .exclude(reminder_state__paused_at__isnull=False)
        .select_related("client")
    )


def reminders_upcoming(
    *, firm, now: datetime.datetime | None = None, days: int = 7, invoice=None
) -> list[UpcomingReminder]:
    """Automatic reminders the sweep will send from now until `days` days ahead (in the
    firm's calendar), including any due now that the hourly sweep has not sent yet."""
    now = now or timezone.now()
    schedule = firm_schedule(firm=firm)
    steps = schedule.step_offsets()
    if not schedule.enabled or not steps:
        return []
    first_day = reminder_day(now, zone_name=firm.timezone, send_hour=schedule.send_hour)
    last_day = first_day + datetime.timedelta(days=days)
    invoices = _remindable(firm=firm).filter(
        due_date__gte=first_day - datetime.timedelta(days=steps[-1]),
        due_date__lte=last_day - datetime.timedelta(days=steps[0]),
    )
    if invoice is not None:
        invoices = invoices.filter(pk=invoice.pk)
    invoices = list(invoices.order_by("due_date", "id")[:UPCOMING_LIMIT])
    recorded = set(
        ReminderSend.objects.filter(
            invoice__in=[inv.pk for inv in invoices], step__isnull=False
        ).values_list("invoice_id", "step")
    )
    upcoming = []
    for inv in invoices:
        for step in steps:
            day = inv.due_date + datetime.timedelta(days=step)
            if not first_day <= day <= last_day or (inv.pk, step) in recorded:
                continue
            moment = send_moment(day, zone_name=firm.timezone, send_hour=schedule.send_hour)
            if day == last_day and moment.date() > (now + datetime.timedelta(days=days)).date():
                continue
            if inv.sent_at and inv.sent_at > moment - FRESH_INVOICE:
                continue
            upcoming.append(
                UpcomingReminder(moment=moment, invoice=inv, step=step, due_now=moment <= now)
            )
    upcoming.sort(key=lambda item: (item.moment, item.invoice.pk))
    return upcoming
