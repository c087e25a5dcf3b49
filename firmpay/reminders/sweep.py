"""The hourly sweep: record every automatic reminder that is due now, set-based.

Per firm (a loop over firms, never over invoices) we work out which firm-local day's
reminders are going out (`schedule.reminder_day`) and therefore, for each step, which due
date owes that step (the day minus the step). Firms that share the day and the steps form
one "shape", and each shape is one `INSERT ... SELECT ... ON CONFLICT DO NOTHING` over the
invoices table covering all its steps (`due_date IN (...)`, the step read back from the
due date with a CASE): with the default policy, two or three statements per sweep.

Eligibility is an allow-list (`firmpay.reminders.eligibility`): an invoice is reminded
only while its status is one of `OUTSTANDING_STATUSES` (open, partially paid) with money
due, it is not disputed, its client has not opted out and it is not paused. Any other
status, including ones added later (payment processing, refunded), is never reminded.

Concurrency: the unique constraint on (invoice, step) makes a second sweep a no-op, even
while the first is still running (it waits on the first's uncommitted rows, then skips
them). Rows are inserted in invoice id order so two sweeps take row locks in one order.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from firmpay.clients.models import Client
from firmpay.invoices.models import Invoice
from firmpay.reminders.eligibility import invoice_has_dispute_flag, outstanding_statuses
from firmpay.reminders.models import (
    InvoiceReminderState,
    ReminderPolicy,
    ReminderSend,
    ReminderStep,
    SendKind,
    SendStatus,
)
from firmpay.reminders.schedule import DEFAULT_SCHEDULE, Schedule, reminder_day
from firmpay.tenancy.models import Firm

# Firm ids per statement: well under SQLite's 32,766 bound variables.
FIRMS_PER_STATEMENT = 5000


@dataclass
class SweepResult:
    recorded: int = 0
    statements: int = 0


def firm_schedules() -> dict[int, Schedule]:
    """Every firm's schedule, enabled or not, from three queries. Firms without a policy
    row get the default schedule."""
    policies = {
        row[0]: row[1:]
        for row in ReminderPolicy.objects.values_list(
            "firm_id", "enabled", "send_hour", "repeat_every_days", "max_repeats"
        )
    }
    offsets = defaultdict(list)
    for firm_id, offset in ReminderStep.objects.values_list("policy__firm_id", "offset_days"):
        offsets[firm_id].append(offset)
    shared: dict[tuple, Schedule] = {}
    schedules = {}
    for firm_id, (enabled, send_hour, every, repeats) in policies.items():
        key = (enabled, send_hour, tuple(sorted(offsets[firm_id])), every, repeats)
        if key not in shared:
            shared[key] = Schedule(*key)
        schedules[firm_id] = shared[key]
    return schedules


Shape = tuple[datetime.date, tuple[int, ...]]


def sweep_shapes(now: datetime.datetime) -> dict[Shape, list[int]]:
    """{(reminder day, steps): [firm ids]} for every enabled firm at `now`: firms going out
    with the same day's reminders under the same steps share one statement."""
    schedules = firm_schedules()
    shapes: dict[Shape, list[int]] = defaultdict(list)
    days: dict[tuple[str, int], datetime.date] = {}
    offsets: dict[Schedule, tuple[int, ...]] = {}
    for firm_id, zone_name in Firm.objects.values_list("id", "timezone").order_by("id"):
        schedule = schedules.get(firm_id, DEFAULT_SCHEDULE)
        if not schedule.enabled:
            continue
        key = (zone_name, schedule.send_hour)
        if key not in days:
            days[key] = reminder_day(now, zone_name=zone_name, send_hour=schedule.send_hour)
        if schedule not in offsets:
            offsets[schedule] = schedule.step_offsets()
        if offsets[schedule]:
            shapes[(days[key], offsets[schedule])].append(firm_id)
    return shapes


def _insert_sql(*, firm_count: int, steps: tuple[int, ...]) -> str:
    quote = connection.ops.quote_name
    firms = ", ".join(["%s"] * firm_count)
    statuses = ", ".join(["%s"] * len(outstanding_statuses()))
    due_dates = ", ".join(["%s"] * len(steps))
    # The step of each row follows from its due date: reminder day - due date.
    step_of = " ".join(f"WHEN %s THEN {int(step)}" for step in steps)
    disputed = "AND i.disputed = %s" if invoice_has_dispute_flag() else ""
    # Only table names, placeholder counts and our own integers are interpolated; every
    # value from the database or a user is a parameter.
    return f"""
        INSERT INTO {quote(ReminderSend._meta.db_table)}
            (firm_id, invoice_id, step, kind, reminder_day, status, attempts, last_error,
             to_email, subject, body, created_at, updated_at)
        SELECT i.firm_id, i.id, CASE i.due_date {step_of} END,
               %s, %s, %s, 0, '', '', '', '', %s, %s
        FROM {quote(Invoice._meta.db_table)} i
        JOIN {quote(Client._meta.db_table)} c ON c.id = i.client_id
        WHERE i.firm_id IN ({firms})
          AND i.status IN ({statuses})
          AND i.due_date IN ({due_dates})
          AND i.amount_due > 0
          AND c.reminders_opt_out = %s
          {disputed}
          AND NOT EXISTS (
              SELECT 1 FROM {quote(InvoiceReminderState._meta.db_table)} p
              WHERE p.invoice_id = i.id AND p.paused_at IS NOT NULL
          )
        ORDER BY i.id
        ON CONFLICT DO NOTHING
    """  # noqa: S608


def shape_record(
    *,
    day: datetime.date,
    steps: tuple[int, ...],
    firm_ids: list[int],
    now: datetime.datetime,
) -> int:
    """One statement: for these firms, whose reminders of `day` are going out, a row for
    each eligible invoice due `step` days before `day`, for every step the invoice does not
    have yet. Returns rows inserted."""
    due_dates = [day - datetime.timedelta(days=step) for step in steps]
    params: list = list(due_dates)
    params += [SendKind.AUTOMATIC.value, day, SendStatus.PENDING.value, now, now]
    params += firm_ids
    params += outstanding_statuses()
    params += due_dates
    params.append(False)
    if invoice_has_dispute_flag():
        params.append(False)
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(firm_count=len(firm_ids), steps=steps), params)
        return max(cursor.rowcount, 0)


def reminders_record_due(*, now: datetime.datetime | None = None) -> SweepResult:
    """Record every automatic reminder due at `now`. Each statement commits on its own: a
    sweep that dies half-way leaves only whole, valid rows, and the next one finishes."""
    now = now or timezone.now()
    result = SweepResult()
    for (day, steps), firm_ids in sorted(sweep_shapes(now).items()):
        for start in range(0, len(firm_ids), FIRMS_PER_STATEMENT):
            chunk = firm_ids[start : start + FIRMS_PER_STATEMENT]
            with transaction.atomic():
                inserted = shape_record(day=day, steps=steps, firm_ids=chunk, now=now)
            result.statements += 1
            result.recorded += inserted
    return result
